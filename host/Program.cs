using Cop.Host.Application;
using System.CommandLine;
using Cop.Host.Commands;
using Cop.Host.Configuration;
using Serilog;

Log.Logger = ConsoleLog.Create();
CliOutput.ConfigureConsole();   // redirected output: COLUMNS or no wrapping (issue 18)

var root = new RootCommand("Cop: USD/COP trading from live 5-minute bars on PostgreSQL NOTIFY, Akka.NET and Akka.Streams.\n" +
                           "Without COP_DATABASE_URL, Cop starts its own PostgreSQL under .cop/.");

var run = new Command("run", "Run the service: event backbone, heartbeat, /metrics and /health.");
run.SetAction((_, ct) => Guard(() => RunCommand.RunAsync(CopSettings.Load(), ct)));
root.Subcommands.Add(run);

var migrate = new Command("migrate", "Apply db-migrations/ (or roll them back).");
var rollback = new Option<bool>("--rollback") { Description = "Roll back instead of applying." };
var keep = new Option<string?>("--keep-through") { Description = "With --rollback: keep migrations up to this number (e.g. 032)." };
var rollbackTo = new Option<string?>("--rollback-to") { Description = "Roll back everything newer than NNN and hold it: cop run applies nothing newer until --roll-forward." };
var rollbackOnly = new Option<string?>("--rollback-only") { Description = "Roll back one migration (e.g. 033, the NOTIFY triggers) and hold it rolled back until --roll-forward." };
var rollForward = new Option<bool>("--roll-forward") { Description = "Lift every hold and apply what is missing." };
var migrateReason = new Option<string?>("--reason") { Description = "Why (recorded with the hold)." };
var migrateBy = new Option<string?>("--by") { Description = "Who (recorded with the hold; default: the OS user)." };
foreach (var o in new Option[] { rollback, keep, rollbackTo, rollbackOnly, rollForward, migrateReason, migrateBy }) migrate.Options.Add(o);
migrate.SetAction((pr, _) => Guard(() => MigrateCommand.RunAsync(CopSettings.Load(), new MigrateCommand.Options(pr.GetValue(rollback), pr.GetValue(keep),
    pr.GetValue(rollbackTo), pr.GetValue(rollbackOnly), pr.GetValue(rollForward), pr.GetValue(migrateReason), pr.GetValue(migrateBy)))));
root.Subcommands.Add(migrate);

var ingest = new Command("ingest", "Validate a bar file into usdcop_m5_ohlcv; rejects go to quarantine with their reason.");
var ingestFile = new Option<string>("--file") { Description = "Bar file (csv or csv.gz) in the bundled format.", Required = true };
var ingestMacro = new Option<string?>("--macro") { Description = "Also seed macro data: a file or a folder of files (see cop macro seed)." };
ingest.Options.Add(ingestFile);
ingest.Options.Add(ingestMacro);
ingest.SetAction((pr, _) => Guard(() => IngestCommand.RunAsync(CopSettings.Load(), pr.GetValue(ingestFile)!, pr.GetValue(ingestMacro))));
root.Subcommands.Add(ingest);

var macroCmd = new Command("macro", "Macro series: seed from files, show status, accept or reject values.");
var macroSeed = new Command("seed", "Load macro files (daily/monthly/quarterly, the bundled format) through validation and delays.");
var macroFrom = new Option<string>("--from") { Description = "A folder of macro files, or one file.", Required = true };
macroSeed.Options.Add(macroFrom);
macroSeed.SetAction((pr, _) => Guard(() => MacroCommand.SeedAsync(CopSettings.Load(), pr.GetValue(macroFrom)!)));
var macroStatus = new Command("status", "Per variable: last date, usable from, last run and result, breaker state.");
var macroStatusJson = CliOutput.JsonOption();
macroStatus.Options.Add(macroStatusJson);
macroStatus.SetAction((pr, _) => Guard(() => MacroCommand.StatusAsync(CopSettings.Load(), pr.GetValue(macroStatusJson))));
macroCmd.Subcommands.Add(macroSeed);
macroCmd.Subcommands.Add(macroStatus);
// Operator decisions on a series (issue 13), recorded in macro_decisions with who, when and why.
var macroColumn = new Argument<string>("column") { Description = "The catalogue variable, e.g. fxrt_index_dxy_usa_d_dxy." };
var decisionFrom = new Option<string>("--from") { Description = "First date (yyyy-MM-dd).", Required = true };
var decisionTo = new Option<string>("--to") { Description = "Last date (yyyy-MM-dd).", Required = true };
var decisionReason = new Option<string?>("--reason") { Description = "Why (kept in the audit table)." };
var macroAccept = new Command("accept", "Accept a new level of a series from a date (a real index change); re-validates its values from there.");
macroAccept.Arguments.Add(macroColumn);
macroAccept.Options.Add(decisionFrom);
macroAccept.Options.Add(decisionReason);
macroAccept.SetAction((pr, _) => Guard(() => MacroCommand.AcceptAsync(CopSettings.Load(), pr.GetValue(macroColumn)!, pr.GetValue(decisionFrom)!, pr.GetValue(decisionReason))));
var macroReject = new Command("reject", "Mark a date range of a series bad: quarantine its values, refill, rewrite Parquet, rebuild the feature rows.");
macroReject.Arguments.Add(macroColumn);
macroReject.Options.Add(decisionFrom);
macroReject.Options.Add(decisionTo);
macroReject.Options.Add(decisionReason);
macroReject.SetAction((pr, _) => Guard(() => MacroCommand.RejectAsync(CopSettings.Load(), pr.GetValue(macroColumn)!, pr.GetValue(decisionFrom)!, pr.GetValue(decisionTo)!, pr.GetValue(decisionReason))));
macroCmd.Subcommands.Add(macroAccept);
macroCmd.Subcommands.Add(macroReject);
root.Subcommands.Add(macroCmd);

var models = new Command("models", "The model registry: register, baseline, list, status, kill-switch.");
var modelFile = new Argument<string>("file") { Description = "ONNX file: input obs float[1,15], output logits float[1,3]." };
var modelId = new Option<string>("--id") { Description = "Model id (default: the file name).", };
var modelVersion = new Option<string>("--model-version") { Description = "Version label.", DefaultValueFactory = _ => "1" };
var normStats = new Option<string?>("--norm-stats") { Description = "JSON file {feature: {mean, std}} for all 15 features (default: identity)." };
var orderHash = new Option<string>("--feature-order-hash") { Description = "The order the model was trained on.", DefaultValueFactory = _ => Cop.Trading.Features.FeatureNames.OrderHash };
var trainStart = new Option<DateTime?>("--training-start") { Description = "First day of the training split (yyyy-MM-dd)." };
var trainEnd = new Option<DateTime?>("--training-end") { Description = "Last day of the training split (yyyy-MM-dd)." };
var register = new Command("register", "Register an ONNX file that meets the contract.");
register.Arguments.Add(modelFile);
foreach (var o in new Option[] { modelId, modelVersion, normStats, orderHash, trainStart, trainEnd }) register.Options.Add(o);
register.SetAction((pr, _) => Guard(() => ModelsCommand.RunAsync(CopSettings.Load(), async registry =>
{
    var file = pr.GetValue(modelFile)!;
    var stats = pr.GetValue(normStats) is { } ns ? ModelRegistration.ReadNormStats(ns) : Cop.Trading.Decisions.NormStats.Identity;
    DateTime? Utc(DateTime? d) => d is { } x ? DateTime.SpecifyKind(x.Date, DateTimeKind.Utc) : null;
    var m = await ModelRegistration.RegisterAsync(registry, file, pr.GetValue(modelId) ?? Path.GetFileNameWithoutExtension(file), pr.GetValue(modelVersion)!, stats,
        pr.GetValue(orderHash)!, trainingStart: Utc(pr.GetValue(trainStart)), trainingEnd: Utc(pr.GetValue(trainEnd)));
    Log.Information("Registered {Model} ({Sha}) as {Status}", m.ModelId, m.FileSha256, m.Status);
    return 0;
})));
var baseline = new Command("baseline", "Write the baseline policy's ONNX file and register it as deployed.");
baseline.SetAction((_, _) => Guard(() => ModelsCommand.RunAsync(CopSettings.Load(), async registry =>
{
    var m = await ModelRegistration.RegisterBaselineAsync(registry, Path.Combine(Directory.GetCurrentDirectory(), ".cop", "models"), deploy: true);
    Log.Information("Baseline {Model} written to {Path} and deployed", m.ModelId, m.FilePath);
    return 0;
})));
var list = new Command("list", "List registered models.");
var listJson = CliOutput.JsonOption();
list.Options.Add(listJson);
list.SetAction((pr, _) => Guard(() => ModelsCommand.RunAsync(CopSettings.Load(), r => ModelsCommand.ListAsync(r, pr.GetValue(listJson)))));
var statusModel = new Argument<string>("model");
var statusValue = new Argument<string>("status") { Description = "registered | staging | deployed | retired" };
var setStatus = new Command("status", "Move a model to a status (deployed models start trading, others stop; no restart needed).");
setStatus.Arguments.Add(statusModel);
setStatus.Arguments.Add(statusValue);
setStatus.SetAction((pr, _) => Guard(() => ModelsCommand.RunAsync(CopSettings.Load(), async registry =>
{
    await registry.SetStatusAsync(pr.GetValue(statusModel)!, pr.GetValue(statusValue)!, Environment.UserName);
    return 0;
})));
var killModel = new Argument<string>("model");
var killValue = new Argument<string>("state") { Description = "on | off" };
var killSwitch = new Command("kill-switch", "Turn a model's kill switch on (it logs HOLD and trades nothing) or off, at run time.");
killSwitch.Arguments.Add(killModel);
killSwitch.Arguments.Add(killValue);
killSwitch.SetAction((pr, _) => Guard(() => ModelsCommand.RunAsync(CopSettings.Load(), async registry =>
{
    var on = pr.GetValue(killValue) switch { "on" => true, "off" => false, var v => throw new ArgumentException($"kill-switch state must be on or off, not '{v}'") };
    await registry.SetKillSwitchAsync(pr.GetValue(killModel)!, on);
    return 0;
})));
foreach (var c in new[] { register, baseline, list, setStatus, killSwitch }) models.Subcommands.Add(c);
root.Subcommands.Add(models);

var dlq = new Command("dlq", "The dead-letter queue: failed events and their retries (1, 5, 15 min, then EXHAUSTED).");
var dlqStatus = new Option<string?>("--status") { Description = "PENDING | RESOLVED | EXHAUSTED | SKIPPED (default: all)." };
var dlqList = new Command("list", "List dead letters.");
dlqList.Options.Add(dlqStatus);
var dlqJson = CliOutput.JsonOption();
dlqList.Options.Add(dlqJson);
dlqList.SetAction((pr, _) => Guard(() => DeadLetterCommand.ListAsync(CopSettings.Load(), pr.GetValue(dlqStatus), pr.GetValue(dlqJson))));
var dlqId = new Argument<long>("id");
var dlqRetry = new Command("retry", "Make a dead letter due now (an exhausted one gets one more attempt); the running service retries it.");
dlqRetry.Arguments.Add(dlqId);
dlqRetry.SetAction((pr, _) => Guard(() => DeadLetterCommand.RetryAsync(CopSettings.Load(), pr.GetValue(dlqId))));
var dlqReason = new Option<string?>("--reason") { Description = "Why the bar may go undecided (recorded)." };
var dlqBy = new Option<string?>("--by") { Description = "Who skips it (default: the OS user)." };
var dlqSkip = new Command("skip", "Let a model pass a bar it cannot decide (it holds there until then); recorded with who, when, why.");
dlqSkip.Arguments.Add(dlqId);
dlqSkip.Options.Add(dlqReason);
dlqSkip.Options.Add(dlqBy);
dlqSkip.SetAction((pr, _) => Guard(() => DeadLetterCommand.SkipAsync(CopSettings.Load(), pr.GetValue(dlqId), pr.GetValue(dlqReason), pr.GetValue(dlqBy))));
dlq.Subcommands.Add(dlqList);
dlq.Subcommands.Add(dlqRetry);
dlq.Subcommands.Add(dlqSkip);
root.Subcommands.Add(dlq);

var preflight = new Command("preflight", "The spec's NOTIFY pre-flight check: 1,000 events, 100 % received, p99 < 100 ms (exit 1 when it fails).");
var events = new Option<int>("--events") { Description = "Events to send.", DefaultValueFactory = _ => 1000 };
preflight.Options.Add(events);
preflight.SetAction((pr, _) => Guard(() => PreflightCommand.RunAsync(CopSettings.Load(), pr.GetValue(events))));
root.Subcommands.Add(preflight);

var demo = new Command("demo", "Replay the bundled real bars through the real path on a fresh cop_demo database.");
var file = new Option<string>("--file") { Description = "Bar file (csv or csv.gz).", DefaultValueFactory = _ => BundledData.DefaultBarFile() };
var speed = new Option<string>("--speed") { Description = "'max' or a multiple of real time (e.g. 600).", DefaultValueFactory = _ => "max" };
var limit = new Option<int?>("--days") { Description = "Replay only the first N days of the file." };
var macro = new Option<string?>("--macro") { Description = "Folder of macro files to seed (default: the bar file's folder)." };
demo.Options.Add(file);
demo.Options.Add(speed);
demo.Options.Add(limit);
demo.Options.Add(macro);
demo.SetAction((pr, _) => Guard(() => DemoCommand.RunAsync(CopSettings.Load(), pr.GetValue(file)!, pr.GetValue(macro), pr.GetValue(speed)!, pr.GetValue(limit))));
root.Subcommands.Add(demo);
root.Subcommands.Add(DatasetCommand.Build(Guard));
root.Subcommands.Add(ExperimentsCommand.Build(Guard));
root.Subcommands.Add(TrainCommand.Build(Guard));
root.Subcommands.Add(BacktestCommand.Build(Guard));
PromotionCommands.AddTo(root, Guard);   // cop users, cop promote (issue 17)

// Ctrl+C / SIGTERM cancel the command's token. `cop run` then drains, disposes what it started (its
// own PostgreSQL and Redis included) and returns: it gets 30 s, where System.CommandLine's default
// of 2 s ended the process mid-shutdown and left its servers running. The one-shot commands do not
// watch the token and keep the default: they end 2 s after the signal.
var parsed = root.Parse(args);
return await parsed.InvokeAsync(new InvocationConfiguration
{
    ProcessTerminationTimeout = parsed.CommandResult.Command == run ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2),
});

// Bad configuration or unreachable servers end with one clear line, not a stack trace.
static async Task<int> Guard(Func<Task<int>> command)
{
    try { return await command(); }
    catch (Exception e) when (e is Akka.Configuration.ConfigurationException or FormatException or InvalidOperationException
                                   or ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
                                   or IOException or UnauthorizedAccessException or Cop.Actors.Models.ModelRejectedException)
    {
        Log.Fatal("{Error}", e.Message);
        return 2;
    }
    finally { await Log.CloseAndFlushAsync(); }
}

