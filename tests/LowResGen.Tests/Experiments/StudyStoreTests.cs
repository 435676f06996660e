using LowResGen.Experiments;

namespace LowResGen.Tests.Experiments;

public class StudyStoreTests
{
    private static CellRecord Record(string key, params double[] f1) =>
        new(key, CellKind.Evaluate, "intent", "cy", "m", "sl", "sl", [.. f1.Select((f, i) => new SeedScore(i, f, f + 0.01))],
            "gen.csv", 30, 1.5, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Records_survive_reopening_and_merge_keeps_existing_cells()
    {
        var dir = Directory.CreateTempSubdirectory("lowresgen-store-").FullName;
        using var cleanup = new DeleteOnDispose(dir);
        await using (var store = await StudyStore.OpenAsync(Path.Combine(dir, "a.db"), CancellationToken.None))
        {
            await store.RecordAsync(Record("k1", 0.5, 0.6), CancellationToken.None);
        }

        await using (var shard = await StudyStore.OpenAsync(Path.Combine(dir, "b.db"), CancellationToken.None))
        {
            await shard.RecordAsync(Record("k1", 0.1), CancellationToken.None);
            await shard.RecordAsync(Record("k2", 0.7), CancellationToken.None);
        }

        await using var merged = await StudyStore.OpenAsync(Path.Combine(dir, "a.db"), CancellationToken.None);
        Assert.True(await merged.IsFinishedAsync("k1", CancellationToken.None));
        Assert.False(await merged.IsFinishedAsync("k2", CancellationToken.None));
        Assert.Equal(1, await merged.MergeFromAsync(Path.Combine(dir, "b.db"), CancellationToken.None));
        var all = await merged.ReadAllAsync(CancellationToken.None);
        Assert.Equal(["k1", "k2"], all.Select(r => r.Key).Order());
        Assert.Equal([0.5, 0.6], all.Single(r => r.Key == "k1").Scores.Select(s => s.MacroF1));
        Assert.Equal(30, all[0].LlmTokens);
    }

    [Fact]
    public async Task Per_class_counts_round_trip_and_a_store_from_before_counts_still_opens()
    {
        var dir = Directory.CreateTempSubdirectory("lowresgen-store-").FullName;
        using var cleanup = new DeleteOnDispose(dir);
        var old = Path.Combine(dir, "old.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={old};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE cells (key TEXT PRIMARY KEY, kind TEXT NOT NULL, task TEXT NOT NULL, language TEXT NOT NULL,
                    model TEXT, strategy TEXT, setting TEXT NOT NULL, artifact TEXT, llm_tokens INTEGER NOT NULL,
                    wall_seconds REAL NOT NULL, finished_utc TEXT NOT NULL);
                INSERT INTO cells VALUES ('k0', 'Generate', 'intent', 'cy', 'm', 'sl', 'sl', NULL, 5, 1, '1970-01-01T00:00:00.0000000+00:00');
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await StudyStore.OpenAsync(old, CancellationToken.None);
        var counts = new LowResGen.Evaluation.Metrics.ClassCounts(100, new Dictionary<string, int> { ["a"] = 100, ["b"] = 86 });
        await store.RecordAsync(Record("k1", 0.5) with { Counts = counts }, CancellationToken.None);
        var all = await store.ReadAllAsync(CancellationToken.None);
        Assert.Null(all.Single(r => r.Key == "k0").Counts);
        var read = all.Single(r => r.Key == "k1");
        Assert.True(read.IsShort);
        Assert.Equal(counts.PerClass, read.Counts!.PerClass);
        Assert.Equal("86–100 of 100", read.Counts.Describe());
        Assert.Equal("b 86/100", read.Counts.DescribeShortClasses());
    }
}
