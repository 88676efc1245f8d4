using Cop.Trading.Features;

namespace Cop.Trading.Learning;

/// <summary>One bar of a dataset: what a deployed model observes of it (the stored features in
/// observation order with position as stored, the close, the macro date readiness needs) and the
/// bar's open, high and low for fills.</summary>
public sealed record DatasetRow(FeatureSnapshot Features, double Open, double High, double Low)
{
    public DateTime Time => Features.BarTime;
    public double Close => Features.Close;

    /// <summary>Every feature present but position (a model puts its own in): the rows a model may learn from.</summary>
    public bool IsLearnable => Learnable(Features.Raw);

    public static bool Learnable(ReadOnlySpan<double?> raw)
    {
        for (var k = 0; k < raw.Length; k++)
            if (k != FeatureNames.Position && raw[k] is null) return false;
        return true;
    }
}
