using Serilog;

namespace Cop.Host.Configuration;

/// <summary>Where the bundled real data is, for the demo and the benchmarks.</summary>
public static class BundledData
{
    public static string DefaultBarFile()
    {
        // The repository sits next to shared/; walk up from the working directory to find it. Without
        // it, the real-data sample shipped with cop (first half of 2020) still shows the whole path.
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "usdcop_m5_ohlcv.csv.gz");
            if (File.Exists(candidate)) return candidate;
        }
        var sample = Path.Combine(AppContext.BaseDirectory, "SampleData", "usdcop_m5_2020h1.csv.gz");
        if (File.Exists(sample))
        {
            Log.Warning("shared/data not found: using the bundled 2020 sample {Sample}", sample);
            return sample;
        }
        return "../shared/data/usdcop_m5_ohlcv.csv.gz";
    }
}
