using System.Globalization;
using Akka.Actor;
using Cop.Actors.Models;
using Cop.Persistence.Journal;
using Cop.Persistence.Stores;
using Cop.Trading.Decisions;
using Npgsql;

namespace Cop.Host.Application;

/// <summary>What `cop replay model` found: the history rebuilt from the journal (as of the cut),
/// the differences with the tables before any repair, the decisions rewritten and what still differs after.</summary>
public sealed record ReplayResult(ModelHistory History, IReadOnlyList<string> Differences, int Rewritten, int Relinked, IReadOnlyList<string> Remaining);

/// <summary>
/// `cop replay model ID [--to T] [--verify] [--repair]`: a deployed model's decisions, fills and
/// paper account rebuilt from its journal alone (Akka.Persistence.Query over the SQL journal,
/// folded by the domain's <see cref="ModelHistory.Replay"/>), compared with what the tables hold,
/// and the rows the tables lack written again through the live path's <see cref="IDecisionLog"/>
/// (idempotent: ON CONFLICT DO NOTHING, so a repair run twice changes nothing the second time).
/// </summary>
public static class ModelReplay
{
    public static async Task<ReplayResult> RunAsync(ActorSystem system, NpgsqlDataSource db, string modelId, string symbol, DateTime? to,
        bool verify, bool repair, CancellationToken ct = default)
    {
        var events = await new ModelJournal(system).EventsAsync(modelId, ct);
        if (events.Count == 0) throw new ArgumentException($"model '{modelId}' has no journal: no event under persistence id {DeployedModel.PersistenceIdOf(modelId)}");
        var history = ModelHistory.Replay(symbol, events, to);
        if (!verify && !repair) return new ReplayResult(history, [], 0, 0, []);

        var stored = new DecisionHistoryStore(db);
        var differences = Compare(history.Decisions, await stored.ReadAsync(modelId, to, ct));
        if (!repair) return new ReplayResult(history, differences, 0, 0, differences);

        // Rows the journal has and the tables lack (a whole decision, or its trade), through the live path's writer.
        var rows = await stored.ReadAsync(modelId, to, ct);
        var present = rows.ToDictionary(r => (r.Symbol, r.BarTime));
        var missing = history.Decisions.Where(d => !present.TryGetValue((d.Symbol, d.BarTime), out var s) || !s.HasDecision || (d.Fill is not null && s.Trade is null))
            .Select(d => DecisionRecord.Of(modelId, d)).ToList();
        IDecisionLog log = new DecisionStore(db);
        await log.WriteAsync(missing, ct);
        var relinked = await stored.RelinkTradesAsync(modelId, ct);
        var remaining = Compare(history.Decisions, await stored.ReadAsync(modelId, to, ct));
        return new ReplayResult(history, differences, missing.Count, relinked, remaining);
    }

    /// <summary>Every difference between the journal's decisions and the stored rows, one line each,
    /// in bar order: a row missing, a field that differs (journal value, then stored), a row the journal does not have.</summary>
    public static IReadOnlyList<string> Compare(IReadOnlyList<ModelDecided> journal, IReadOnlyList<StoredDecision> stored)
    {
        var byBar = stored.ToDictionary(s => (s.Symbol, s.BarTime));
        var differences = new List<(DateTime Bar, string Text)>();
        void Differ(DateTime bar, string text) => differences.Add((bar, $"{bar.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z {text}"));
        static string F(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "none";
        foreach (var d in journal)
        {
            if (!byBar.Remove((d.Symbol, d.BarTime), out var s) || !s.HasDecision)
            {
                Differ(d.BarTime, $"decision row missing ({d.Action.ToString().ToUpperInvariant()} {d.Verdict})");
                if (d.Fill is not null && s?.Trade is null) Differ(d.BarTime, "trade row missing");
                continue;
            }
            void Field(string name, string journalValue, string? storedValue)
            {
                if (!string.Equals(journalValue, storedValue, StringComparison.Ordinal)) Differ(d.BarTime, $"{name}: journal {journalValue}, stored {storedValue ?? "none"}");
            }
            Field("action", d.Action.ToString().ToUpperInvariant(), s.Action);
            Field("risk verdict", d.Verdict.ToString(), s.Verdict);
            Field("observation hash", d.ObservationHash, s.ObservationHash);
            Field("confidence", F(d.Confidence), F(s.Confidence));
            Field("latency", F(d.LatencyMs), F(s.LatencyMs));
            if (d.Fill is { } f)
            {
                if (s.Trade is not { } t) { Differ(d.BarTime, "trade row missing"); continue; }
                Field("trade side", DecisionStore.Side(f), t.Side);
                Field("trade quantity", F(Math.Abs(f.To - f.From)), F(t.Quantity));
                Field("trade price", F(f.Price), F(t.Price));
                Field("trade fee", F(DecisionStore.FeeBps(f)), F(t.FeeBps));
                Field("position after", F(f.To), F(t.PositionAfter));
                Field("equity after", F(d.EquityAfter), F(t.EquityAfter));
                if (!s.TradeLinked) Differ(d.BarTime, "decision row does not point at its trade");
            }
            else if (s.Trade is not null) Differ(d.BarTime, $"trade row ({s.Trade.Side}) for a decision the journal has without a fill");
        }
        foreach (var s in byBar.Values)
            Differ(s.BarTime, s.HasDecision ? $"decision row ({s.Action} {s.Verdict}) the journal does not have" : $"trade row ({s.Trade!.Side}) the journal does not have");
        return [.. differences.OrderBy(x => x.Bar).Select(x => x.Text)];
    }
}
