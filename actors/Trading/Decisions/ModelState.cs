using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Cop.Trading.Features;

namespace Cop.Trading.Decisions;

/// <summary>
/// What a deployed model knows between bars: its paper account, the last bar of its symbol it
/// decided (or passed), the index of its last decision and how many it made. Pure, in the style
/// of event sourcing: <see cref="Decide"/> turns a bar and the policy's answer into the event,
/// <see cref="Apply(ModelDecided)"/> turns an event into the next state; live trading and a
/// journal's replay go through the same Apply, so the state after a recovery is the state
/// without the crash.
/// </summary>
/// <param name="Symbol">The one instrument the model trades: only its bars move <see cref="LastBar"/>.</param>
public sealed record ModelState(string Symbol, PaperAccount Account, DateTime? LastBar, long BarIndex, long Decisions)
{
    public static ModelState Start(string symbol) => new(symbol, PaperAccount.Empty, null, -1, 0);

    /// <summary>A bar at or before the last decided one is answered as a duplicate, never decided again.</summary>
    public bool HasDecided(DateTime barTime) => LastBar is { } last && barTime <= last;

    /// <summary>The policy's input for a bar: the stored features with the model's own position in
    /// place of the stored 0, normalised with the model's norm_stats into <paramref name="observation"/>.</summary>
    public void Observe(FeatureSnapshot bar, NormStats norm, Span<float> observation)
    {
        norm.Normalise(bar.Raw, observation);
        // Marking to market never moves the position. Written over the stored one, no copy of the row.
        observation[FeatureNames.Position] = norm.Normalise(FeatureNames.Position, Account.Position);
    }

    /// <summary>The decision for <paramref name="bar"/>, given what the policy made of its
    /// <paramref name="observation"/>: the risk rules judge the position the action asks for
    /// against the account marked to the bar's close, an approved change fills at that close,
    /// and the kill switch shows HOLD whatever the policy said.</summary>
    public ModelDecided Decide(FeatureSnapshot bar, ReadOnlySpan<float> observation, TradeAction action, double confidence,
        DecisionRules rules, bool killSwitch, double latencyMs)
    {
        var account = Account.MarkToMarket(bar.Close, TradingSession.BogotaDate(bar.BarTime));
        var barIndex = BarIndex + 1;
        var target = Policy.TargetPosition(action, account.Position);
        var readiness = MarketReadiness.Of(bar.BarTime, bar.Raw, bar.MacroAsOf, rules.MaxMacroAge);
        var verdict = RiskManager.Check(rules.Risk, account, target, barIndex, killSwitch, readiness);
        var shown = verdict == RiskVerdict.KillSwitch ? TradeAction.Hold : action;
        var fill = verdict == RiskVerdict.Approved ? account.Fill(target, bar.BarTime, barIndex, bar.Close, rules.Costs) : null;
        var equityAfter = (fill is null ? account : account.Apply(fill)).Equity;
        var hash = HashOf(observation);
        return new ModelDecided(bar.Symbol, bar.BarTime, barIndex, shown, confidence, verdict, hash, bar.Close, fill, equityAfter, latencyMs);
    }

    // One SHA-256 context per thread, reset after each digest: the one-shot SHA256.HashData sets up
    // OpenSSL's context on every call, which cost as much as the ONNX run in a backtest's loop.
    [ThreadStatic] private static IncrementalHash? _sha256;

    /// <summary>SHA-256 of the observation's bytes (little-endian float32s), lowercase hex.</summary>
    public static string HashOf(ReadOnlySpan<float> observation)
    {
        var sha = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(observation));
        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    public ModelState Apply(ModelDecided e)
    {
        var account = Account.MarkToMarket(e.Close, TradingSession.BogotaDate(e.BarTime));
        if (e.Fill is { } fill) account = account.Apply(fill);
        // Per symbol: a decision journaled for another symbol (before symbols were checked) is no
        // reason to skip this symbol's bar at the same time, nor what a catch-up follows.
        return this with
        {
            Account = account,
            LastBar = e.Symbol == Symbol ? e.BarTime : LastBar,
            BarIndex = e.BarIndex,
            Decisions = Decisions + 1,
        };
    }

    public ModelState Apply(BarSkipped e) => e.Symbol == Symbol ? this with { LastBar = e.BarTime } : this;
}
