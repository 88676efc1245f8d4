namespace Cop.Host.Infrastructure;

public static class Stats
{
    /// <summary>Nearest-rank percentile (q in 0..1) of unsorted values.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double RssMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64 / 1024.0 / 1024.0;
    }
}
