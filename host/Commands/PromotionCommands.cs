using System.CommandLine;
using System.Text.Json;
using Cop.Host.Application;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Promotion;
using Cop.Trading.Promotion;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop users add|list` and `cop promote request|vote|status`: the promotion flow for
/// scripts, through the same <see cref="PromotionService"/> as the web API. The CLI has database
/// access, so it names its user with --as (a reviewer or admin of cop_users, checked) instead of a
/// password; four eyes hold as on the web (the requester cannot vote on their own request).</summary>
public static class PromotionCommands
{
    public static void AddTo(RootCommand root, Func<Func<Task<int>>, Task<int>> guard)
    {
        root.Subcommands.Add(Users(guard));
        root.Subcommands.Add(Promote(guard));
    }

    private static Command Users(Func<Func<Task<int>>, Task<int>> guard)
    {
        var users = new Command("users", "Users of the web UI (viewer, reviewer, admin).");
        var email = new Argument<string>("email");
        var role = new Option<string>("--role") { Description = "viewer (looks) | reviewer (runs backtests, requests, votes, kill switch) | admin", Required = true };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (the default when input is redirected)." };
        var add = new Command("add", "Add a user or change their role and password; the password is read from standard input (never an argument), stored as a salted PBKDF2 hash.");
        add.Arguments.Add(email);
        add.Options.Add(role);
        add.Options.Add(stdin);
        add.SetAction((pr, _) => guard(() => WithDatabase(async db =>
        {
            var password = ReadPassword(pr.GetValue(stdin));
            var added = await new UserAccounts(new UserStore(db)).AddAsync(pr.GetValue(email), pr.GetValue(role), password);
            Console.WriteLine($"{(added ? "added" : "updated")} {pr.GetValue(email)!.Trim().ToLowerInvariant()} as {pr.GetValue(role)}");
            return 0;
        })));
        var list = new Command("list", "List the users and their roles.");
        list.SetAction((_, _) => guard(() => WithDatabase(async db =>
        {
            var table = new Table().AddColumns("email", "role", "since");
            foreach (var u in await new UserAccounts(new UserStore(db)).ListAsync()) table.AddRow(u.Email, u.Role, $"{u.CreatedAt:yyyy-MM-dd HH:mm}");
            AnsiConsole.Write(table);
            return 0;
        })));
        users.Subcommands.Add(add);
        users.Subcommands.Add(list);
        return users;
    }

    private static Command Promote(Func<Func<Task<int>>, Task<int>> guard)
    {
        var promote = new Command("promote", "Promotion requests with the dual vote (automatic metrics vote + a reviewer's checklist vote), as in the web UI.");
        var asUser = new Option<string>("--as") { Description = "The Cop user acting (a reviewer or admin; see cop users).", Required = true };

        var model = new Argument<string>("model");
        var backtest = new Option<string>("--backtest") { Description = "The backtest (backtest_results.backtest_uuid) the request is based on.", Required = true };
        var stage = new Option<string>("--stage") { Description = "staging | production", Required = true };
        var retire = new Option<bool>("--retire-previous") { Description = "Production only: retire the experiment's model now in production when this one deploys." };
        var request = new Command("request", "Request a promotion; the automatic vote is computed at once.");
        request.Arguments.Add(model);
        foreach (var o in new Option[] { backtest, stage, retire, asUser }) request.Options.Add(o);
        request.SetAction((pr, _) => guard(() => WithService(async service =>
        {
            var r = await service.RequestAsync(pr.GetValue(model), pr.GetValue(backtest), pr.GetValue(stage), pr.GetValue(retire), pr.GetValue(asUser)!);
            Show(r);
            return 0;
        })));

        var requestId = new Argument<string>("request");
        var decision = new Argument<string>("decision") { Description = "approve | reject" };
        var equity = new Option<bool>("--equity-curve-reviewed") { Description = "Checklist: I have reviewed the backtest equity curve." };
        var trades = new Option<bool>("--trade-distribution-reviewed") { Description = "Checklist: I have reviewed the trade distribution." };
        var team = new Option<bool>("--team-notified") { Description = "Checklist: I have notified the team." };
        var comment = new Option<string?>("--comment") { Description = "Why (kept with the vote)." };
        var vote = new Command("vote", "The manual vote; approving needs all three checklist options. promoted/override_promoted deploys at once.");
        vote.Arguments.Add(requestId);
        vote.Arguments.Add(decision);
        foreach (var o in new Option[] { equity, trades, team, comment, asUser }) vote.Options.Add(o);
        vote.SetAction((pr, _) => guard(() => WithService(async service =>
        {
            var (r, deploy) = await service.VoteAsync(pr.GetValue(requestId), pr.GetValue(decision),
                new ManualChecklist(pr.GetValue(equity), pr.GetValue(trades), pr.GetValue(team)), pr.GetValue(comment), pr.GetValue(asUser)!);
            Show(r);
            if (deploy is not null)
                Console.WriteLine($"deployed: {r.ModelId} {deploy.FromStatus} -> {deploy.ToStatus}, {deploy.FeatureRowsMarked} feature rows marked"
                                  + (deploy.Retired.Count > 0 ? $", retired {string.Join(", ", deploy.Retired)}" : ""));
            return 0;
        })));

        var statusId = new Argument<string?>("request") { Arity = ArgumentArity.ZeroOrOne };
        var status = new Command("status", "The promotion requests (newest first), or one request with its checks.");
        status.Arguments.Add(statusId);
        status.SetAction((pr, _) => guard(() => WithService(async service =>
        {
            if (pr.GetValue(statusId) is { } one)
            {
                if (!Guid.TryParse(one, out var id)) throw new PromotionInputException("request", $"'{one}' is not a request id (a UUID)");
                Show(await service.GetAsync(id) ?? throw new PromotionInputException("request", $"no promotion request {id}"));
                return 0;
            }
            // One line per request, tab-separated: scripts read it whatever the terminal's width.
            Console.WriteLine("request\tmodel\tstage\tauto\tmanual\tfinal\trequested_by\tvoted_by\tcreated");
            foreach (var r in await service.ListAsync())
                Console.WriteLine(string.Join('\t', r.RequestId, r.ModelId, r.TargetStage, r.AutoVoteStatus, r.ManualVoteStatus, r.FinalDecision,
                    r.RequestedBy ?? "", r.ManualVoteBy ?? "", $"{r.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}"));
            return 0;
        })));

        promote.Subcommands.Add(request);
        promote.Subcommands.Add(vote);
        promote.Subcommands.Add(status);
        return promote;
    }

    private static void Show(PromotionRequestRow r)
    {
        Console.WriteLine($"request {r.RequestId}: {r.ModelId} {r.ModelVersion} to {r.TargetStage}, requested by {r.RequestedBy}");
        Console.WriteLine($"automatic vote: {r.AutoVoteStatus}");
        if (r.AutoVoteDetails is { } details)
            foreach (var c in JsonDocument.Parse(details).RootElement.GetProperty("checks").EnumerateArray())
                Console.WriteLine($"  {c.GetProperty("name").GetString(),-14} {c.GetProperty("value")} >= {c.GetProperty("threshold")}  {(c.GetProperty("passed").GetBoolean() ? "pass" : "FAIL")}");
        Console.WriteLine($"manual vote: {r.ManualVoteStatus}{(r.ManualVoteBy is { } by ? $" by {by}" : "")}{(r.ManualVoteComment is { } c2 ? $" ({c2})" : "")}");
        Console.WriteLine($"final decision: {r.FinalDecision}{(r.PromotedAt is { } at ? $", deployed {at:yyyy-MM-dd HH:mm:ss} UTC" : "")}");
    }

    private static string ReadPassword(bool fromStdin)
    {
        if (fromStdin || Console.IsInputRedirected)
            return Console.In.ReadLine() ?? throw new ArgumentException("no password on standard input");
        var first = Prompt("password: ");
        if (Prompt("again: ") != first) throw new ArgumentException("the two passwords differ");
        return first;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var s = new System.Text.StringBuilder();
        for (var k = Console.ReadKey(intercept: true); k.Key != ConsoleKey.Enter; k = Console.ReadKey(intercept: true))
            if (k.Key == ConsoleKey.Backspace) { if (s.Length > 0) s.Length--; }
            else s.Append(k.KeyChar);
        Console.Error.WriteLine();
        return s.ToString();
    }

    private static async Task<int> WithDatabase(Func<NpgsqlDataSource, Task<int>> action)
    {
        var settings = CopSettings.Load();
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        return await action(db);
    }

    private static Task<int> WithService(Func<PromotionService, Task<int>> action) => WithDatabase(db =>
        action(new PromotionService(new PromotionStore(db), new UserStore(db), PromotionSettings.From(CopSettings.Load().Hocon))));
}
