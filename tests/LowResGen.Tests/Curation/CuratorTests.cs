using LowResGen.Curation;
using LowResGen.Data;
using LowResGen.Data.Import;
using static LowResGen.Tests.Curation.CurationTestData;

namespace LowResGen.Tests.Curation;

public sealed class CuratorTests
{
    private static List<Example> DefectiveSet()
    {
        var set = WelshAlarmsAndWeather();
        set.Add(Make(40, "Gosod larwm ar gyfer saith o'r gloch bore yfory plis", "alarm_query")); // near duplicate of g0
        set.Add(Make(41, "Sut fydd y tywydd a'r glaw ym Mangor yfory", "alarm_query")); // mislabeled
        set.Add(Make(42, "Pa larymau sydd gen i wedi eu gosod ar gyfer yfory", "alarm_query")); // exact duplicate of g1
        return set;
    }

    [Fact]
    public async Task Drops_defects_with_reasons_and_loses_nothing()
    {
        var set = DefectiveSet();
        var quality = new QualityOptions { Trainer = new NaiveBayesTestTrainer(), Folds = 4, Seed = 3 };
        var options = new CurationOptions
        {
            PerClass = 6,
            Filters = CurationFilter.ParseList("exact-duplicates,near-duplicates=0.8,consistency=0.9"),
            Seed = 3,
        };

        var (result, _) = await Curator.CurateAsync(set, quality, options);

        Assert.Equal(set.Select(e => e.Id).Order(), result.Kept.Concat(result.Dropped.Select(d => d.Example)).Select(e => e.Id).Order());
        Assert.Equal("exact-duplicates", result.Dropped.Single(d => d.Example.Id == "g42").Filter);
        Assert.Equal("near-duplicates", result.Dropped.Single(d => d.Example.Id == "g40").Filter);
        Assert.Equal("consistency", result.Dropped.Single(d => d.Example.Id == "g41").Filter);
        Assert.All(result.Kept.GroupBy(e => e.Label), g => Assert.Equal(6, g.Count()));
        Assert.Equal(4, result.DroppedByFilter[CurationResult.SelectionFilter]);
    }

    [Theory]
    [InlineData(SelectionStrategy.Random)]
    [InlineData(SelectionStrategy.Quality)]
    [InlineData(SelectionStrategy.QualityDiverse)]
    public async Task Is_deterministic_for_a_seed(SelectionStrategy selection)
    {
        var set = (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "de", "train_full"), new ImportOptions(), default)).Examples;
        var quality = new QualityOptions { Trainer = new NaiveBayesTestTrainer(), Seed = 5 };
        var options = new CurationOptions { PerClass = 20, Filters = CurationFilter.ParseList("exact-duplicates,near-duplicates,consistency"), Selection = selection, Seed = 5 };

        var (first, report) = await Curator.CurateAsync(set, quality, options);
        var (second, _) = await Curator.CurateAsync(set, quality, options);
        var otherSeed = Curator.Curate(set, report, options with { Seed = 6 });

        Assert.Equal(first.Kept.Select(e => e.Id), second.Kept.Select(e => e.Id));
        Assert.Equal(first.Dropped.Select(d => d.Example.Id + d.Reason), second.Dropped.Select(d => d.Example.Id + d.Reason));
        Assert.Equal(set.Count, first.Kept.Count + first.Dropped.Count);
        Assert.Equal(200, first.Kept.Count);
        if (selection == SelectionStrategy.Random)
        {
            Assert.NotEqual(first.Kept.Select(e => e.Id), otherSeed.Kept.Select(e => e.Id));
        }
    }

    [Fact]
    public async Task Diverse_selection_avoids_similar_examples()
    {
        Example[] set =
        [
            Make(0, "play some jazz music now", "music", "en"),
            Make(1, "play some jazz music now please", "music", "en"),
            Make(2, "play some jazz music right now", "music", "en"),
            Make(3, "could you put on the latest album by Adele", "music", "en"),
        ];
        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions { NearDuplicateThreshold = 0.95 });

        foreach (var seed in Enumerable.Range(0, 5))
        {
            var result = Curator.Curate(set, report, new CurationOptions { PerClass = 2, Selection = SelectionStrategy.Diverse, Seed = seed });

            Assert.Contains(result.Kept, e => e.Id == "g3");
            Assert.Equal(2, result.Kept.Count);
        }
    }

    [Fact]
    public async Task Hard_selection_prefers_examples_near_the_class_boundary()
    {
        var set = WelshAlarmsAndWeather();
        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions { Trainer = new NaiveBayesTestTrainer(), Folds = 4 });

        var result = Curator.Curate(set, report, new CurationOptions { PerClass = 3, Selection = SelectionStrategy.Hard });

        foreach (var label in new[] { "alarm_query", "weather_query" })
        {
            var expected = report.Examples.Where(d => d.Label == label).OrderBy(d => d.OutOfFoldOwnLabelScore).Take(3).Select(d => d.Id).Order();
            Assert.Equal(expected, result.Kept.Where(e => e.Label == label).Select(e => e.Id).Order());
        }
    }

    [Fact]
    public void Filter_names_and_thresholds_are_parsed_and_unknown_ones_rejected()
    {
        var filters = CurationFilter.ParseList("language, near-duplicates=0.85 ,consistency");
        Assert.Equal([new CurationFilter("language"), new CurationFilter("near-duplicates", 0.85), new CurationFilter("consistency")], filters);
        Assert.Empty(CurationFilter.ParseList("none"));
        var error = Assert.Throws<ArgumentException>(() => CurationFilter.ParseList("language,dedupe"));
        Assert.Contains("dedupe", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CurationFilter.Parse("length=abc"));
    }

    [Fact]
    public async Task Written_outputs_read_back()
    {
        Example[] set =
        [
            Make(0, "text with, a comma", "a", "en"),
            Make(1, "text with \"quotes\"\nand a line break", "b", "en"),
            Make(2, "text with, a comma", "a", "en"),
        ];
        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions(), "set.csv");
        var result = Curator.Curate(set, report, new CurationOptions { PerClass = 5, Filters = CurationFilter.ParseList("exact-duplicates") });
        var directory = Directory.CreateTempSubdirectory("curation-test").FullName;
        try
        {
            var kept = Path.Combine(directory, "kept.csv");
            var dropped = Path.Combine(directory, "dropped.csv");
            await QualityReportWriter.WriteExamplesCsvAsync(kept, result.Kept, default);
            await QualityReportWriter.WriteDroppedCsvAsync(dropped, result.Dropped, default);
            await QualityReportWriter.WriteJsonAsync(Path.Combine(directory, "report.json"), report, default);

            var back = (await ExampleFiles.ReadAsync(kept, new ImportOptions(), default)).Examples;
            Assert.Equal(result.Kept.Select(e => (e.Text, e.Label)), back.Select(e => (e.Text, e.Label)));
            var droppedBack = (await ExampleFiles.ReadAsync(dropped, new ImportOptions(), default)).Examples;
            Assert.Equal("g2", Assert.Single(droppedBack).Id);
            var json = await File.ReadAllTextAsync(Path.Combine(directory, "report.json"));
            Assert.Contains("\"exactDuplicateOf\": 0", json, StringComparison.Ordinal);
            Assert.Contains("| (all) | 3 |", QualityReportWriter.ToMarkdown(report), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
