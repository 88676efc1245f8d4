namespace Cop.Trading.Decisions;

public static class Policy
{
    /// <summary>Argmax of the logits and its softmax probability.</summary>
    public static (TradeAction Action, double Confidence) Decide(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        double sum = 0;
        for (var i = 0; i < logits.Length; i++) sum += Math.Exp(logits[i] - logits[best]);
        return ((TradeAction)best, 1 / sum);
    }

    /// <summary>The position an action asks for: LONG +1, SHORT -1, HOLD keeps the current one.</summary>
    public static int TargetPosition(TradeAction action, int current) => action switch
    {
        TradeAction.Long => 1,
        TradeAction.Short => -1,
        _ => current,
    };
}
