using Cop.Actors.Macro;
using Cop.Trading.Macro;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>The last run of one macro variable, as `cop macro status` shows it.</summary>
public sealed record MacroVariableStatus(string Variable, string Source, DateOnly? LastDate, DateOnly? LastAvailable,
    DateTime? LastRunAt, string? Plan, string? Result, string? Detail, string BreakerState);

/// <summary>
/// The macro tables (macro_daily / _monthly / _quarterly), one column per catalogue variable.
/// Column names come from the validated catalogue (lower-case letters, digits, '_') and are
/// checked against the table before use.
/// </summary>
public sealed class MacroStore(NpgsqlDataSource db) : IMacroVariableStore
{
    /// <summary>Catalogue variables whose column is missing from their table (empty when all fit).</summary>
    public async Task<IReadOnlyList<string>> MissingColumnsAsync(IEnumerable<MacroVariableSpec> catalogue, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT table_name, column_name FROM information_schema.columns WHERE table_name LIKE 'macro_%'");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var have = new HashSet<(string, string)>();
        while (await r.ReadAsync(ct)) have.Add((r.GetString(0), r.GetString(1)));
        return [.. catalogue.Where(v => !have.Contains((v.Table, v.Column))).Select(v => $"{v.Table}.{v.Column}")];
    }

    /// <summary>The newest <paramref name="count"/> dates with a published (not filled) value.</summary>
    public async Task<IReadOnlyList<DateOnly>> RecentDatesAsync(MacroVariableSpec v, int count, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT fecha FROM {v.Table} WHERE {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))
            ORDER BY fecha DESC LIMIT @n
            """);
        cmd.Parameters.AddWithValue("n", count);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var dates = new List<DateOnly>();
        while (await r.ReadAsync(ct)) dates.Add(r.GetFieldValue<DateOnly>(0));
        return dates;
    }

    /// <summary>The newest published value dated before <paramref name="before"/>: the reference for the jump check.</summary>
    public async Task<MacroValue?> PreviousValueAsync(MacroVariableSpec v, DateOnly before, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT fecha, {v.Column} FROM {v.Table}
            WHERE fecha < @before AND {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))
            ORDER BY fecha DESC LIMIT 1
            """);
        cmd.Parameters.AddWithValue("before", before);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new MacroValue(r.GetFieldValue<DateOnly>(0), r.GetDouble(1)) : null;
    }

    /// <summary>UPSERTs published values: fecha_available = fecha + delay (the row keeps the latest
    /// availability of its columns, so no column is usable early); a revision overwrites and
    /// stamps updated_at; a value equal to the stored one changes nothing. Returns rows changed.</summary>
    public async Task<int> UpsertAsync(MacroVariableSpec v, IReadOnlyList<MacroValue> values, CancellationToken ct = default)
    {
        if (values.Count == 0) return 0;
        await using var cmd = db.CreateCommand($"""
            INSERT INTO {v.Table} AS t (fecha, fecha_available, {v.Column})
            SELECT d, d + @delay, x FROM unnest(@dates, @values) AS u(d, x)
            ON CONFLICT (fecha) DO UPDATE SET
                {v.Column} = EXCLUDED.{v.Column},
                fecha_available = GREATEST(t.fecha_available, EXCLUDED.fecha_available),
                filled_columns = array_remove(t.filled_columns, '{v.Column}'),
                updated_at = NOW()
            WHERE t.{v.Column} IS DISTINCT FROM EXCLUDED.{v.Column}
               OR t.fecha_available < EXCLUDED.fecha_available
               OR '{v.Column}' = ANY(t.filled_columns)
            """);
        cmd.Parameters.AddWithValue("delay", v.DelayDays);
        cmd.Parameters.AddWithValue("dates", NpgsqlDbType.Array | NpgsqlDbType.Date, values.Select(x => x.Date).ToArray());
        cmd.Parameters.AddWithValue("values", NpgsqlDbType.Array | NpgsqlDbType.Double, values.Select(x => x.Value).ToArray());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task QuarantineAsync(IReadOnlyList<RejectedMacroValue> rejected, CancellationToken ct = default)
    {
        if (rejected.Count == 0) return;
        await using var cmd = db.CreateCommand("""
            INSERT INTO quarantine (source, raw_payload, reason, reason_code)
            SELECT 'macro:' || c, c || ' ' || d || ' = ' || x, m, code FROM unnest(@c, @d, @x, @m, @code) AS u(c, d, x, m, code)
            """);
        cmd.Parameters.AddWithValue("c", rejected.Select(r => r.Column).ToArray());
        cmd.Parameters.AddWithValue("d", rejected.Select(r => r.Date.ToString("yyyy-MM-dd")).ToArray());
        cmd.Parameters.AddWithValue("x", rejected.Select(r => r.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        cmd.Parameters.AddWithValue("m", rejected.Select(r => r.Message).ToArray());
        cmd.Parameters.AddWithValue("code", rejected.Select(r => r.Code).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Forward fill of every column of a table in ONE statement, for rows dated from
    /// <paramref name="from"/> on, anchored on values up to <paramref name="lookbackDays"/> before.
    /// PostgreSQL has no IGNORE NULLS: count(col) OVER (ORDER BY fecha) numbers the runs that start
    /// at each published value, and first_value over each run carries it forward. Filled cells are
    /// recorded in filled_columns. Returns the rows changed.
    /// </summary>
    public async Task<int> ForwardFillAsync(string table, IReadOnlyList<string> columns, DateOnly from, int lookbackDays, CancellationToken ct = default)
    {
        if (columns.Count == 0) return 0;
        var runs = string.Join(", ", columns.Select((c, i) => $"{c}, count({c}) OVER (ORDER BY fecha) AS g{i}"));
        var carried = string.Join(", ", columns.Select((c, i) => $"first_value({c}) OVER (PARTITION BY g{i} ORDER BY fecha) AS {c}"));
        var set = string.Join(", ", columns.Select(c => $"{c} = COALESCE(m.{c}, f.{c})"));
        var marks = string.Join(", ", columns.Select(c => $"CASE WHEN m.{c} IS NULL AND f.{c} IS NOT NULL THEN '{c}' END"));
        var any = string.Join(" OR ", columns.Select(c => $"(m.{c} IS NULL AND f.{c} IS NOT NULL)"));
        await using var cmd = db.CreateCommand($"""
            WITH w AS (SELECT fecha, {runs} FROM {table} WHERE fecha >= @anchor),
                 f AS (SELECT fecha, {carried} FROM w)
            UPDATE {table} m SET {set},
                filled_columns = m.filled_columns || array_remove(ARRAY[{marks}]::text[], NULL),
                updated_at = NOW()
            FROM f WHERE m.fecha = f.fecha AND m.fecha >= @from AND ({any})
            """);
        cmd.Parameters.AddWithValue("anchor", from.AddDays(-lookbackDays));
        cmd.Parameters.AddWithValue("from", from);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The same fill as N statements, one per column (the spec's "before"): the
    /// benchmark's baseline. Same SQL, same result.</summary>
    public async Task<int> ForwardFillColumnByColumnAsync(string table, IReadOnlyList<string> columns, DateOnly from, int lookbackDays, CancellationToken ct = default)
    {
        var changed = 0;
        foreach (var c in columns) changed += await ForwardFillAsync(table, [c], from, lookbackDays, ct);
        return changed;
    }

    /// <summary>Every row of a table (filled values included), for the Parquet masters.</summary>
    public async Task<(IReadOnlyList<DateOnly> Dates, IReadOnlyList<double?[]> Columns)> ReadTableAsync(string table, IReadOnlyList<string> columns, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT fecha{string.Concat(columns.Select(c => ", " + c))} FROM {table} ORDER BY fecha");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var dates = new List<DateOnly>();
        var values = columns.Select(_ => new List<double?>()).ToList();
        while (await r.ReadAsync(ct))
        {
            dates.Add(r.GetFieldValue<DateOnly>(0));
            for (var k = 0; k < columns.Count; k++) values[k].Add(r.IsDBNull(k + 1) ? null : r.GetDouble(k + 1));
        }
        return (dates, [.. values.Select(v => v.ToArray())]);
    }

    public async Task RecordRunAsync(string variable, string source, ExtractionPlan? plan, string result, string? detail,
        int upserted, int rejected, string breakerState, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO macro_variable_runs (variable, source, last_run_at, plan, result, detail, rows_upserted, rows_rejected, breaker_state)
            VALUES (@v, @s, NOW(), @p, @r, @d, @u, @x, @b)
            ON CONFLICT (variable) DO UPDATE SET source = EXCLUDED.source, last_run_at = EXCLUDED.last_run_at, plan = EXCLUDED.plan,
                result = EXCLUDED.result, detail = EXCLUDED.detail, rows_upserted = EXCLUDED.rows_upserted,
                rows_rejected = EXCLUDED.rows_rejected, breaker_state = EXCLUDED.breaker_state
            """);
        cmd.Parameters.AddWithValue("v", variable);
        cmd.Parameters.AddWithValue("s", source);
        cmd.Parameters.AddWithValue("p", plan is null ? "-" : $"{plan.Kind.ToString().ToLowerInvariant()} {plan.From:yyyy-MM-dd}..{plan.To:yyyy-MM-dd}");
        cmd.Parameters.AddWithValue("r", result);
        cmd.Parameters.AddWithValue("d", (object?)detail ?? DBNull.Value);
        cmd.Parameters.AddWithValue("u", upserted);
        cmd.Parameters.AddWithValue("x", rejected);
        cmd.Parameters.AddWithValue("b", breakerState);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<MacroVariableStatus>> StatusAsync(IReadOnlyList<MacroVariableSpec> catalogue, CancellationToken ct = default)
    {
        var runs = new Dictionary<string, (DateTime, string, string, string?, string)>();
        await using (var cmd = db.CreateCommand("SELECT variable, last_run_at, plan, result, detail, breaker_state FROM macro_variable_runs"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                runs[r.GetString(0)] = (r.GetDateTime(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5));
        var result = new List<MacroVariableStatus>();
        foreach (var v in catalogue)
        {
            await using var cmd = db.CreateCommand($"""
                SELECT max(fecha), max(fecha_available) FROM {v.Table}
                WHERE {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))
                """);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            DateOnly? last = r.IsDBNull(0) ? null : r.GetFieldValue<DateOnly>(0);
            DateOnly? available = r.IsDBNull(1) ? null : r.GetFieldValue<DateOnly>(1);
            var run = runs.TryGetValue(v.Column, out var x) ? x : default;
            result.Add(new MacroVariableStatus(v.Column, v.Source, last, available,
                run.Item1 == default ? null : run.Item1, run.Item2, run.Item3, run.Item4, run.Item5 ?? "closed"));
        }
        return result;
    }
}
