using Cop.Actors.Macro;
using Cop.Trading.Macro;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>The last run of one macro variable, as `cop macro status` shows it.</summary>
/// LastDate is the last accepted value; Waiting counts rejected values dated after it (stale while > 0).
public sealed record MacroVariableStatus(string Variable, string Source, DateOnly? LastDate, DateOnly? LastAvailable,
    DateTime? LastRunAt, string? Plan, MacroRunResult? Result, string? Detail, BreakerState BreakerState, int Waiting = 0, string? WaitingReason = null);

/// <summary>A series whose newest values are rejected: last accepted date, how many wait after it
/// (the oldest dated <see cref="WaitingSince"/>) and the newest one's reason.</summary>
public sealed record MacroStaleSeries(string Variable, DateOnly? LastAccepted, int Waiting, DateOnly WaitingSince, string Reason);

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
        return [.. catalogue.Where(v => !have.Contains((v.Table(), v.Column))).Select(v => $"{v.Table()}.{v.Column}")];
    }

    /// <summary>The newest <paramref name="count"/> dates with a published (not filled) value.</summary>
    public async Task<IReadOnlyList<DateOnly>> RecentDatesAsync(MacroVariableSpec v, int count, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT fecha FROM {v.Table()} WHERE {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))
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
            SELECT fecha, {v.Column} FROM {v.Table()}
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
            INSERT INTO {v.Table()} AS t (fecha, fecha_available, {v.Column})
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
        var changed = await cmd.ExecuteNonQueryAsync(ct);
        // A date now accepted no longer waits for a decision.
        await using var clear = db.CreateCommand("DELETE FROM macro_rejections WHERE variable = @v AND fecha = ANY(@dates)");
        clear.Parameters.AddWithValue("v", v.Column);
        clear.Parameters.AddWithValue("dates", NpgsqlDbType.Array | NpgsqlDbType.Date, values.Select(x => x.Date).ToArray());
        await clear.ExecuteNonQueryAsync(ct);
        return changed;
    }

    /// <summary>Records rejected values: one macro_rejections row per (series, date), updated when
    /// the same date is rejected again, and a quarantine row naming series, date, value, rule and
    /// reference for every rejection that is new or changed (an hourly refresh of the same bad
    /// value does not pile up). Returns how many were new or changed.</summary>
    public async Task<int> QuarantineAsync(IReadOnlyList<RejectedMacroValue> rejected, CancellationToken ct = default)
    {
        if (rejected.Count == 0) return 0;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        await using var cmd = db.CreateCommand("""
            WITH input AS (
                SELECT * FROM unnest(@c, @d, @x, @t, @rule, @m, @rd, @rv)
                    AS u(variable, fecha, value, raw_text, rule, reason, reference_date, reference_value)),
            changed AS (
                INSERT INTO macro_rejections AS r (variable, fecha, value, raw_text, rule, reason, reference_date, reference_value)
                SELECT * FROM input
                ON CONFLICT (variable, fecha) DO UPDATE SET value = EXCLUDED.value, raw_text = EXCLUDED.raw_text,
                    rule = EXCLUDED.rule, reason = EXCLUDED.reason, reference_date = EXCLUDED.reference_date,
                    reference_value = EXCLUDED.reference_value, last_rejected_at = NOW()
                WHERE (r.raw_text, r.rule, r.reference_date, r.reference_value) IS DISTINCT FROM
                      (EXCLUDED.raw_text, EXCLUDED.rule, EXCLUDED.reference_date, EXCLUDED.reference_value)
                RETURNING variable, fecha, raw_text, rule, reason, reference_date, reference_value)
            INSERT INTO quarantine (source, raw_payload, reason, reason_code)
            SELECT 'macro:' || variable, variable || ' ' || fecha || ' = ' || raw_text
                       || COALESCE(' (reference ' || reference_value || ' on ' || reference_date || ')', ''),
                   variable || ' ' || fecha || ' = ' || raw_text || ': ' || reason, rule
            FROM changed
            """);
        cmd.Parameters.AddWithValue("c", rejected.Select(r => r.Column).ToArray());
        cmd.Parameters.AddWithValue("d", NpgsqlDbType.Array | NpgsqlDbType.Date, rejected.Select(r => r.Date).ToArray());
        cmd.Parameters.AddWithValue("x", NpgsqlDbType.Array | NpgsqlDbType.Double, rejected.Select(r => r.Text is null ? (double?)r.Value : null).ToArray());
        cmd.Parameters.AddWithValue("t", rejected.Select(r => r.Text ?? r.Value.ToString("R", inv)).ToArray());
        cmd.Parameters.AddWithValue("rule", rejected.Select(r => r.Code).ToArray());
        cmd.Parameters.AddWithValue("m", rejected.Select(r => r.Reason).ToArray());
        cmd.Parameters.AddWithValue("rd", NpgsqlDbType.Array | NpgsqlDbType.Date, rejected.Select(r => r.Reference?.Date).ToArray());
        cmd.Parameters.AddWithValue("rv", NpgsqlDbType.Array | NpgsqlDbType.Double, rejected.Select(r => r.Reference?.Value).ToArray());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>What operators decided about a series: accepted levels and ranges marked bad.</summary>
    public async Task<MacroOperatorDecisions> DecisionsAsync(MacroVariableSpec v, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT action, from_date, to_date FROM macro_decisions WHERE variable = @v ORDER BY id");
        cmd.Parameters.AddWithValue("v", v.Column);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var (levels, bad) = (new List<DateOnly>(), new List<(DateOnly, DateOnly)>());
        while (await r.ReadAsync(ct))
        {
            var from = r.GetFieldValue<DateOnly>(1);
            if (r.GetString(0) == "accept") levels.Add(from);
            else bad.Add((from, r.GetFieldValue<DateOnly>(2)));
        }
        return new MacroOperatorDecisions(levels, bad);
    }

    /// <summary>Rejected values of a series dated from <paramref name="from"/> on that were numbers
    /// (what `cop macro accept` re-validates).</summary>
    public async Task<IReadOnlyList<MacroValue>> RejectedValuesAsync(MacroVariableSpec v, DateOnly from, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT fecha, value FROM macro_rejections WHERE variable = @v AND fecha >= @from AND value IS NOT NULL ORDER BY fecha
            """);
        cmd.Parameters.AddWithValue("v", v.Column);
        cmd.Parameters.AddWithValue("from", from);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var values = new List<MacroValue>();
        while (await r.ReadAsync(ct)) values.Add(new MacroValue(r.GetFieldValue<DateOnly>(0), r.GetDouble(1)));
        return values;
    }

    /// <summary>Takes published values dated from..to out of the table (cells set to NULL) and also
    /// clears the cells forward fill carried from <paramref name="from"/> on, so the fill is
    /// regenerated from what is left. Returns the published values removed.</summary>
    public async Task<(IReadOnlyList<MacroValue> Removed, DateOnly LastCleared)> WithdrawAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = new List<MacroValue>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT fecha, {v.Column} FROM {v.Table()}
            WHERE fecha BETWEEN @from AND @to AND {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))
            ORDER BY fecha FOR UPDATE
            """, tx.Connection, tx))
        {
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) removed.Add(new MacroValue(r.GetFieldValue<DateOnly>(0), r.GetDouble(1)));
        }
        var lastCleared = to;
        await using (var cmd = new NpgsqlCommand($"""
            WITH cleared AS (
                UPDATE {v.Table()} SET {v.Column} = NULL, filled_columns = array_remove(filled_columns, '{v.Column}'), updated_at = NOW()
                WHERE {v.Column} IS NOT NULL AND (fecha BETWEEN @from AND @to OR (fecha > @to AND '{v.Column}' = ANY(filled_columns)))
                RETURNING fecha)
            SELECT max(fecha) FROM cleared
            """, tx.Connection, tx))
        {
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            if (await cmd.ExecuteScalarAsync(ct) is DateOnly d && d > to) lastCleared = d;
        }
        await tx.CommitAsync(ct);
        await tx.Connection!.DisposeAsync();
        return (removed, lastCleared);
    }

    /// <summary>Published (not filled) values of a series dated from <paramref name="from"/> on.</summary>
    public async Task<IReadOnlyList<MacroValue>> PublishedValuesAsync(MacroVariableSpec v, DateOnly from, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT fecha, {v.Column} FROM {v.Table()}
            WHERE fecha >= @from AND {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns)) ORDER BY fecha
            """);
        cmd.Parameters.AddWithValue("from", from);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var values = new List<MacroValue>();
        while (await r.ReadAsync(ct)) values.Add(new MacroValue(r.GetFieldValue<DateOnly>(0), r.GetDouble(1)));
        return values;
    }

    /// <summary>Fills in the counts of a decision once its work is done.</summary>
    public async Task CompleteDecisionAsync(long id, int accepted, int rejected, int featureRowsRebuilt, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE macro_decisions SET values_accepted = @acc, values_rejected = @rej, feature_rows_rebuilt = @rows WHERE id = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("acc", accepted);
        cmd.Parameters.AddWithValue("rej", rejected);
        cmd.Parameters.AddWithValue("rows", featureRowsRebuilt);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Writes an operator's decision to the audit table; returns its id.</summary>
    public async Task<long> RecordDecisionAsync(string variable, string action, DateOnly from, DateOnly? to, string reason, string decidedBy,
        int accepted, int rejected, int featureRowsRebuilt, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO macro_decisions (variable, action, from_date, to_date, reason, decided_by, values_accepted, values_rejected, feature_rows_rebuilt)
            VALUES (@v, @a, @f, @t, @r, @by, @acc, @rej, @rows) RETURNING id
            """);
        cmd.Parameters.AddWithValue("v", variable);
        cmd.Parameters.AddWithValue("a", action);
        cmd.Parameters.AddWithValue("f", from);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.Date, (object?)to ?? DBNull.Value);
        cmd.Parameters.AddWithValue("r", reason);
        cmd.Parameters.AddWithValue("by", decidedBy);
        cmd.Parameters.AddWithValue("acc", accepted);
        cmd.Parameters.AddWithValue("rej", rejected);
        cmd.Parameters.AddWithValue("rows", featureRowsRebuilt);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Series whose newest values are rejected: rejections dated after the last accepted
    /// value and not inside a range an operator marked bad, with the newest one's reason.</summary>
    public async Task<IReadOnlyList<MacroStaleSeries>> StaleAsync(IReadOnlyList<MacroVariableSpec> catalogue, CancellationToken ct = default)
    {
        var stale = new List<MacroStaleSeries>();
        foreach (var v in catalogue)
        {
            await using var cmd = db.CreateCommand($"""
                WITH last AS (SELECT max(fecha) AS d FROM {v.Table()} WHERE {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))),
                     waiting AS (SELECT r.* FROM macro_rejections r, last
                                 WHERE r.variable = @v AND r.rule <> 'macro_operator_rejected' AND (last.d IS NULL OR r.fecha > last.d)
                                   AND NOT EXISTS (SELECT 1 FROM macro_decisions d WHERE d.variable = r.variable AND d.action = 'reject'
                                                   AND r.fecha BETWEEN d.from_date AND d.to_date))
                SELECT (SELECT d FROM last), count(*), min(fecha),
                       (SELECT fecha || ' = ' || raw_text || ': ' || reason FROM waiting ORDER BY fecha DESC LIMIT 1)
                FROM waiting
                """);
            cmd.Parameters.AddWithValue("v", v.Column);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            if (r.GetInt64(1) == 0) continue;
            stale.Add(new MacroStaleSeries(v.Column, r.IsDBNull(0) ? null : r.GetFieldValue<DateOnly>(0), (int)r.GetInt64(1),
                r.GetFieldValue<DateOnly>(2), r.GetString(3)));
        }
        return stale;
    }

    /// <summary>
    /// Forward fill of every column of a table in ONE statement, for rows dated from
    /// <paramref name="from"/> on, anchored on values up to <paramref name="lookbackDays"/> before.
    /// PostgreSQL has no IGNORE NULLS: count(col) OVER (ORDER BY fecha) numbers the runs that start
    /// at each published value, and first_value over each run carries it forward. Filled cells are
    /// recorded in filled_columns. Returns the rows changed.
    /// </summary>
    public async Task<int> ForwardFillAsync(string table, IReadOnlyList<string> columns, DateOnly from, int lookbackDays, CancellationToken ct = default) =>
        await ForwardFillAsync(table, columns, from, DateOnly.MaxValue, lookbackDays, ct);

    /// <summary>The same fill limited to rows dated from..through (a decision refills only what it cleared).</summary>
    public async Task<int> ForwardFillAsync(string table, IReadOnlyList<string> columns, DateOnly from, DateOnly through, int lookbackDays, CancellationToken ct = default)
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
            FROM f WHERE m.fecha = f.fecha AND m.fecha >= @from AND m.fecha <= @through AND ({any})
            """);
        cmd.Parameters.AddWithValue("anchor", from.AddDays(-lookbackDays));
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("through", through);
        return await cmd.ExecuteNonQueryAsync(ct);
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

    public async Task RecordRunAsync(string variable, string source, ExtractionPlan? plan, MacroRunResult result, string? detail,
        int upserted, int rejected, BreakerState breakerState, CancellationToken ct = default)
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
        cmd.Parameters.AddWithValue("r", Text(result));
        cmd.Parameters.AddWithValue("d", (object?)detail ?? DBNull.Value);
        cmd.Parameters.AddWithValue("u", upserted);
        cmd.Parameters.AddWithValue("x", rejected);
        cmd.Parameters.AddWithValue("b", Text(breakerState));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<MacroVariableStatus>> StatusAsync(IReadOnlyList<MacroVariableSpec> catalogue, CancellationToken ct = default)
    {
        var runs = new Dictionary<string, (DateTime, string, MacroRunResult, string?, BreakerState)>();
        await using (var cmd = db.CreateCommand("SELECT variable, last_run_at, plan, result, detail, breaker_state FROM macro_variable_runs"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                runs[r.GetString(0)] = (r.GetDateTime(1), r.GetString(2), RunResult(r.GetString(3)), r.IsDBNull(4) ? null : r.GetString(4), Breaker(r.GetString(5)));
        var stale = (await StaleAsync(catalogue, ct)).ToDictionary(s => s.Variable);
        var result = new List<MacroVariableStatus>();
        foreach (var v in catalogue)
        {
            await using var cmd = db.CreateCommand($"""
                SELECT max(fecha), max(fecha_available) FROM {v.Table()}
                WHERE {v.Column} IS NOT NULL AND NOT ('{v.Column}' = ANY(filled_columns))
                """);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            DateOnly? last = r.IsDBNull(0) ? null : r.GetFieldValue<DateOnly>(0);
            DateOnly? available = r.IsDBNull(1) ? null : r.GetFieldValue<DateOnly>(1);
            var ran = runs.TryGetValue(v.Column, out var run);
            result.Add(new MacroVariableStatus(v.Column, v.Source, last, available,
                ran ? run.Item1 : null, ran ? run.Item2 : null, ran ? run.Item3 : null, run.Item4, ran ? run.Item5 : BreakerState.Closed,
                stale.TryGetValue(v.Column, out var w) ? w.Waiting : 0, w?.Reason));
        }
        return result;
    }

    // The text of macro_variable_runs.result and .breaker_state (its CHECK lists the results).
    private static string Text(MacroRunResult result) => result switch
    {
        MacroRunResult.Ok => "ok",
        MacroRunResult.Failed => "failed",
        MacroRunResult.Lost => "lost",
        MacroRunResult.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    private static MacroRunResult RunResult(string text) => text switch
    {
        "ok" => MacroRunResult.Ok,
        "failed" => MacroRunResult.Failed,
        "lost" => MacroRunResult.Lost,
        "skipped" => MacroRunResult.Skipped,
        _ => throw new InvalidDataException($"macro_variable_runs.result '{text}' is not a run result"),
    };

    private static string Text(BreakerState state) => state switch
    {
        BreakerState.Closed => "closed",
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half-open",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static BreakerState Breaker(string text) => text switch
    {
        "closed" => BreakerState.Closed,
        "open" => BreakerState.Open,
        "half-open" => BreakerState.HalfOpen,
        _ => throw new InvalidDataException($"macro_variable_runs.breaker_state '{text}' is not a breaker state"),
    };
}
