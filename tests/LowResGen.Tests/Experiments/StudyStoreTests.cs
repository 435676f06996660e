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
}
