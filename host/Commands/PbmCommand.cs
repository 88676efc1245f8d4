using System.CommandLine;
using System.Net.Http.Json;
using Cop.Host.Admin;

namespace Cop.Host.Commands;

/// <summary>
/// `cop pbm HOST:PORT [command]`: the Petabridge.Cmd client substitute. With a command it runs it
/// on the node's admin endpoint and prints the answer (exit 0, or 1 when the node refused it);
/// without one it opens a prompt: Tab completes the palettes the node offers (read from the node),
/// `help` lists them, `exit` ends. With stdin not a terminal (a script, a test) each line is a
/// command and a line with a Tab asks for the completions of what precedes it.
/// </summary>
public static class PbmCommand
{
    /// <param name="args">The process's own arguments: the command after the address is taken as typed
    /// (its -s/-d flags are the node's to parse, not System.CommandLine's).</param>
    public static Command Build(Func<Func<Task<int>>, Task<int>> guard, string[] args)
    {
        var pbm = new Command("pbm", "Inspect a running Cop through its admin endpoint: actor hierarchy, actor kill|stop, cop streams, cop entity ...; no command: a prompt with completion.");
        var address = new Argument<string>("address") { Description = "host:port of the node's admin endpoint (cop.admin.urls; default 127.0.0.1:9110)." };
        var words = new Argument<string[]>("command") { Description = "The command, e.g. actor hierarchy -d 2 (none: interactive).", Arity = ArgumentArity.ZeroOrMore };
        var token = new Option<string?>("--token") { Description = "The node's admin token (default: COP_ADMIN_TOKEN)." };
        pbm.Arguments.Add(address);
        pbm.Arguments.Add(words);
        pbm.Options.Add(token);
        pbm.TreatUnmatchedTokensAsErrors = false;
        pbm.SetAction((pr, ct) => guard(() =>
        {
            var at = Array.IndexOf(args, "pbm");
            var rest = args.Skip(at + 2).ToList();
            var t = rest.IndexOf("--token");
            if (t >= 0) rest.RemoveRange(t, Math.Min(2, rest.Count - t));
            return RunAsync(pr.GetValue(address)!, pr.GetValue(token) ?? Environment.GetEnvironmentVariable("COP_ADMIN_TOKEN"),
                string.Join(' ', rest.Select(w => w.Contains(' ') ? $"\"{w}\"" : w)), Console.In, Console.Out, ct);
        }));
        return pbm;
    }

    public static async Task<int> RunAsync(string address, string? token, string command, TextReader input, TextWriter output, CancellationToken ct)
    {
        using var http = Client(address, token);
        if (command.Length > 0)
        {
            var (ok, text) = await SendAsync(http, address, command, ct);
            await output.WriteLineAsync(text);
            return ok ? 0 : 1;
        }
        var palettes = await PalettesAsync(http, address, ct);
        await output.WriteLineAsync($"connected to {address}; Tab completes, `help` lists the commands, `exit` ends");
        var terminal = ReferenceEquals(input, Console.In) && !Console.IsInputRedirected;
        while (!ct.IsCancellationRequested)
        {
            await output.WriteAsync("pbm> ");
            var line = terminal ? ReadWithCompletion(palettes, output) : await input.ReadLineAsync(ct);
            if (line is null || line.Trim() is "exit" or "quit") break;
            if (!terminal && line.Contains('\t'))
            {
                await output.WriteLineAsync("completions: " + string.Join(' ', AdminCommands.Complete(palettes, line[..line.IndexOf('\t')])));
                continue;
            }
            if (line.Trim().Length == 0) continue;
            var (_, text) = await SendAsync(http, address, line, ct);
            await output.WriteLineAsync(text);
        }
        return 0;
    }

    internal static HttpClient Client(string address, string? token)
    {
        if (!Uri.TryCreate($"http://{address}", UriKind.Absolute, out var uri) || uri.Port <= 0 || address.Contains('/'))
            throw new ArgumentException($"'{address}' is not host:port (e.g. 127.0.0.1:9110)");
        var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    internal static async Task<(bool Ok, string Output)> SendAsync(HttpClient http, string address, string command, CancellationToken ct)
    {
        var response = await Call(() => http.PostAsJsonAsync("/pbm", new AdminEndpoint.CommandRequest(command), ct), address);
        var body = await response.Content.ReadFromJsonAsync<AdminEndpoint.CommandResponse>(ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized) throw new InvalidOperationException($"{address}: {body?.Output ?? "unauthorised"}");
        return (body?.Ok ?? false, body?.Output ?? $"{address} answered {(int)response.StatusCode}");
    }

    private static async Task<IReadOnlyList<string>> PalettesAsync(HttpClient http, string address, CancellationToken ct)
    {
        var response = await Call(() => http.GetAsync("/pbm/palettes", ct), address);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized) throw new InvalidOperationException($"{address}: this admin endpoint needs its token (--token, COP_ADMIN_TOKEN)");
        return (await response.Content.ReadFromJsonAsync<AdminEndpoint.PaletteResponse>(ct))?.Palettes ?? [];
    }

    private static async Task<HttpResponseMessage> Call(Func<Task<HttpResponseMessage>> call, string address)
    {
        try { return await call(); }
        catch (HttpRequestException e) { throw new InvalidOperationException($"no Cop admin endpoint at {address}: {e.Message}"); }
        catch (TaskCanceledException) { throw new InvalidOperationException($"the admin endpoint at {address} did not answer in time"); }
    }

    /// <summary>A line from the terminal: Tab completes the word being typed from the palettes (or lists the choices).</summary>
    private static string? ReadWithCompletion(IReadOnlyList<string> palettes, TextWriter output)
    {
        var line = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter: output.WriteLine(); return line.ToString();
                case ConsoleKey.Backspace when line.Length > 0: line.Length--; output.Write("\b \b"); break;
                case ConsoleKey.Tab:
                    var options = AdminCommands.Complete(palettes, line.ToString());
                    var typed = line.Length == 0 || char.IsWhiteSpace(line[^1]) ? "" : AdminCommands.Tokenize(line.ToString())[^1];
                    if (options.Count == 1)
                    {
                        var add = options[0][typed.Length..] + " ";
                        line.Append(add);
                        output.Write(add);
                    }
                    else if (options.Count > 1) output.Write($"\n{string.Join("  ", options)}\npbm> {line}");
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0: return null;
                default:
                    if (!char.IsControl(key.KeyChar)) { line.Append(key.KeyChar); output.Write(key.KeyChar); }
                    break;
            }
        }
    }
}
