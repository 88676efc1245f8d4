using System.CommandLine;
using Cop.Bench;
using Cop.Host.Configuration;
using Serilog;

Log.Logger = ConsoleLog.Create();

var root = new RootCommand("Cop's benchmarks: features, macro, deployed models and the NOTIFY backbone vs polling (figures go to BENCHMARKS.md).");
var quick = new Option<bool>("--quick") { Description = "Smaller workloads (a smoke run)." };
var file = new Option<string>("--file") { Description = "Bar file (csv or csv.gz).", DefaultValueFactory = _ => BundledData.DefaultBarFile() };
var only = new Option<string?>("--only") { Description = "Run one section: trading, training or backtest." };
foreach (var o in new Option[] { quick, file, only }) root.Options.Add(o);
root.SetAction(async (pr, _) =>
{
    try
    {
        var bars = pr.GetValue(file)!;
        return await BenchCommand.RunAsync(CopSettings.Load(), pr.GetValue(quick), bars, Path.GetDirectoryName(Path.GetFullPath(bars))!, pr.GetValue(only));
    }
    catch (Exception e) when (e is Akka.Configuration.ConfigurationException or InvalidOperationException or IOException)
    {
        Log.Fatal("{Error}", e.Message);
        return 2;
    }
    finally { await Log.CloseAndFlushAsync(); }
});
return await root.Parse(args).InvokeAsync();
