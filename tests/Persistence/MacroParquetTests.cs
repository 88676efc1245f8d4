using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Cop.Trading.Macro;
using Npgsql;
using Parquet;
using Parquet.Meta;

namespace Cop.Tests.Persistence;

[Collection(PersistenceCollection.Name)]
public class MacroParquetTests
{
    [Fact]
    public async Task The_three_masters_round_trip_with_a_DATE_column_and_optional_DOUBLE_values()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("parquet");
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new MacroStore(db);
        var dir = Directory.CreateTempSubdirectory("cop-parquet-").FullName;
        var settings = ShippedConfig.Settings().Macro with { ParquetDirectory = dir };
        await new MacroSeeder(store, settings).SeedFilesAsync([Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", "macro_indicators_daily_2019_2020.csv.gz")]);
        await store.UpsertAsync(settings["gdpp_real_gdp_usa_q_gdp"], [new(new DateOnly(2020, 3, 31), 19_000), new(new DateOnly(2020, 6, 30), 17_300)]);

        var written = await MacroParquet.WriteMastersAsync(store, settings);
        Assert.Equal(["MACRO_DAILY_MASTER.parquet", "MACRO_MONTHLY_MASTER.parquet", "MACRO_QUARTERLY_MASTER.parquet"],
            written.Select(w => Path.GetFileName(w.Path)));

        var daily = settings.Catalogue.Where(v => v.Frequency == MacroFrequency.Daily).Select(v => v.Column).ToList();
        var (dates, values) = await store.ReadTableAsync("macro_daily", daily);
        await using var reader = await ParquetReader.CreateAsync(written[0].Path);
        // The file's own schema, as any Parquet reader sees it: INT32 annotated DATE, optional DOUBLEs.
        var elements = reader.Metadata!.Schema.Skip(1).ToList();
        Assert.Equal(["fecha", .. daily], elements.Select(e => e.Name));
        Assert.Equal((Parquet.Meta.Type.INT32, ConvertedType.DATE), (elements[0].Type, elements[0].ConvertedType));
        Assert.NotNull(elements[0].LogicalType?.DATE);
        Assert.All(elements.Skip(1), e => Assert.Equal((Parquet.Meta.Type.DOUBLE, FieldRepetitionType.OPTIONAL), (e.Type, e.RepetitionType)));

        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(dates.Count, group.RowCount);
        var readDates = new DateTime[dates.Count];
        await group.ReadAsync<DateTime>(reader.Schema.DataFields[0], readDates);
        Assert.Equal(dates, readDates.Select(DateOnly.FromDateTime));
        for (var k = 0; k < daily.Count; k++)
        {
            var column = new double?[dates.Count];
            await group.ReadAsync<double>(reader.Schema.DataFields[k + 1], column);
            Assert.Equal(values[k], column);
        }
        Assert.Equal(2, written[2].Rows);
        Directory.Delete(dir, true);
    }
}
