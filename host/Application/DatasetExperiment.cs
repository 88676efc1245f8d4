using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Persistence.Objects;
using Cop.Trading;
using Cop.Trading.Learning;

namespace Cop.Host.Application;

/// <summary>
/// What `cop dataset build` reads of an experiment file (hocon/experiments/&lt;name&gt;.conf or a
/// path): the symbol and the `experiment.dataset` section, the splits (Bogota trading days, both
/// ends inclusive) and the embargo, checked by <see cref="SplitPlan.Checked"/>. A missing file, bad
/// HOCON, a missing or malformed key, or a leaking plan is refused in one line naming it.
/// </summary>
public sealed record DatasetExperiment(string Name, string File, string Symbol, SplitPlan Plan, string ConfigJson)
{
    public static DatasetExperiment Load(string nameOrPath, InstrumentCatalogue instruments)
    {
        var file = Locate(nameOrPath);
        var text = HoconSyntax.ReadChecked(file);
        Config c;
        try { c = ConfigurationFactory.ParseString(text); }
        catch (Exception e) { throw new ConfigurationException($"{file} is not valid HOCON: {e.Message}"); }
        return From(Path.GetFileNameWithoutExtension(file), file, text, c, instruments);
    }

    /// <summary><paramref name="nameOrPath"/> itself when it is a file, else hocon/experiments/&lt;name&gt;.conf
    /// next to the binary or under the current directory.</summary>
    public static string Locate(string nameOrPath)
    {
        if (System.IO.File.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        if (nameOrPath.IndexOfAny(['/', '\\']) < 0)
            foreach (var dir in new[] { Path.Combine(AppContext.BaseDirectory, "hocon", "experiments"), Path.Combine(Environment.CurrentDirectory, "hocon", "experiments") })
                if (Path.Combine(dir, nameOrPath + ".conf") is var candidate && System.IO.File.Exists(candidate)) return candidate;
        var shipped = Path.Combine(AppContext.BaseDirectory, "hocon", "experiments");
        var known = Directory.Exists(shipped) ? string.Join(", ", Directory.EnumerateFiles(shipped, "*.conf").Select(Path.GetFileNameWithoutExtension).Order()) : "";
        throw new FileNotFoundException($"experiment '{nameOrPath}' not found: give a name in hocon/experiments/ ({(known.Length > 0 ? known : "none shipped")}) or a .conf file");
    }

    public static DatasetExperiment From(string name, string file, string text, Config c, InstrumentCatalogue instruments)
    {
        ObjectKeys.Part(name, "experiment name");
        if (!c.HasPath("experiment")) throw new ConfigurationException($"{file}: no 'experiment' section");
        const string d = "experiment.dataset";
        if (!c.HasPath($"{d}.splits")) throw new ConfigurationException($"{file}: {d}.splits is missing (train, validation, test with from/to dates)");
        var symbol = c.GetString("experiment.symbol", "USD/COP");
        if (!instruments.Contains(symbol)) throw new ConfigurationException($"{file}: experiment.symbol = {InstrumentCatalogue.Printable(symbol)} is not in cop.instruments");
        SplitRange Range(DatasetSplit split)
        {
            var key = $"{d}.splits.{SplitNames.Of(split)}";
            if (!c.HasPath(key)) throw new ConfigurationException($"{file}: {key} is missing");
            return new SplitRange(split, Date(c, file, $"{key}.from"), Date(c, file, $"{key}.to"));
        }
        int embargo;
        try { embargo = c.GetInt($"{d}.embargo-days", 1); }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new ConfigurationException($"{file}: {d}.embargo-days = {c.GetString($"{d}.embargo-days")} is not a whole number of trading days");
        }
        SplitPlan plan;
        try { plan = SplitPlan.Checked(Range(DatasetSplit.Train), Range(DatasetSplit.Validation), Range(DatasetSplit.Test), embargo); }
        catch (ArgumentException e) { throw new ArgumentException($"experiment {name} ({file}): {e.Message}"); }

        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["experiment"] = name,
            ["file"] = file,
            ["symbol"] = symbol,
            ["seed"] = c.HasPath("experiment.seed") ? c.GetString("experiment.seed") : null,
            ["embargo_days"] = embargo,
            ["splits"] = plan.Ranges.ToDictionary(r => r.Name, r => new { from = r.From.ToString("yyyy-MM-dd"), to = r.To.ToString("yyyy-MM-dd") }),
            ["hocon"] = text,
        });
        return new DatasetExperiment(name, file, symbol, plan, json);
    }

    private static DateOnly Date(Config c, string file, string key)
    {
        var value = c.HasPath(key) ? c.GetString(key) : throw new ConfigurationException($"{file}: {key} is missing");
        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
            : throw new ConfigurationException($"{file}: {key} = '{value}' is not a date (yyyy-MM-dd)");
    }
}
