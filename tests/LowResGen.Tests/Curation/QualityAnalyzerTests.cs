using LowResGen.Common;
using LowResGen.Curation;
using LowResGen.Data;
using LowResGen.Data.Import;
using static LowResGen.Tests.Curation.CurationTestData;

namespace LowResGen.Tests.Curation;

public sealed class QualityAnalyzerTests
{
    private static readonly LinguaLanguageIdentifier Lingua = new();

    [Fact]
    public void Finds_the_two_near_duplicates_and_nothing_else()
    {
        string[] texts =
        [
            "Set an alarm for seven in the morning please",
            "What is the weather like in Cardiff tomorrow",
            "Set an alarm for seven in the morning, please!",
            "Play the next chapter of my audiobook",
            "Book a train ticket to London for Friday",
        ];

        var pairs = new NearDuplicateFinder().FindPairs(texts, 0.7);

        var pair = Assert.Single(pairs);
        Assert.Equal((0, 2), (pair.First, pair.Second));
        Assert.Equal(1.0, pair.Similarity, 6);
    }

    [Fact]
    public async Task Lsh_finds_what_the_exhaustive_comparison_finds_on_real_generated_data()
    {
        var generated = (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_full"), new ImportOptions(), default))
            .Examples.Take(400).Select(e => e.Text).Distinct().ToArray();
        var finder = new NearDuplicateFinder();
        var shingles = generated.Select(finder.Shingles).ToArray();

        var exhaustive = new HashSet<(int, int)>();
        for (var a = 0; a < shingles.Length; a++)
        {
            for (var b = a + 1; b < shingles.Length; b++)
            {
                if (TextShingles.Jaccard(shingles[a], shingles[b]) >= 0.6)
                {
                    exhaustive.Add((a, b));
                }
            }
        }

        var found = finder.FindPairs(shingles, 0.6).Select(p => (p.First, p.Second)).ToHashSet();

        Assert.True(exhaustive.Count >= 5, $"the sample should hold near duplicates, found {exhaustive.Count}");
        Assert.Subset(exhaustive, found);
        Assert.True(found.Count >= exhaustive.Count * 0.98, $"LSH found {found.Count} of {exhaustive.Count} pairs");
    }

    [Fact]
    public async Task Flags_a_german_line_in_a_welsh_set()
    {
        var set = WelshAlarmsAndWeather();
        set.Add(Make(99, "Wie wird das Wetter morgen in Berlin sein?", "weather_query"));

        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions { TargetLanguage = "cy", LanguageIdentifier = Lingua });

        var outside = report.Examples.Where(d => d.InTargetLanguage == false).ToArray();
        Assert.Equal("g99", Assert.Single(outside).Id);
        Assert.Equal("de", outside[0].DetectedLanguage);
        Assert.Equal(16 / 17.0, report.Overall.InLanguageShare!.Value, 6);
        Assert.Equal(8 / 9.0, report.Classes.Single(c => c.Group == "weather_query").InLanguageShare!.Value, 6);
        Assert.Equal("cy", report.Language);
    }

    [Fact]
    public async Task Flags_a_mislabeled_example_with_out_of_fold_and_seed_classifiers()
    {
        var set = WelshAlarmsAndWeather();
        // A weather request labelled as an alarm query.
        set.Add(Make(50, "Sut fydd y tywydd a'r glaw ym Mangor yfory", "alarm_query"));
        // On a set this small the classifiers are unsure about several correct examples (around 0.7), so the
        // threshold that separates the one wrong label (above 0.97 for both classifiers) is high.
        var demonstrations = new[]
        {
            Make(200, "Pa larymau sydd wedi eu gosod", "alarm_query"),
            Make(201, "Gosod larwm i mi bore yfory", "alarm_query"),
            Make(202, "Sut fydd y tywydd yfory", "weather_query"),
            Make(203, "Ydy hi'n bwrw glaw heddiw", "weather_query"),
        };
        var trainer = new NaiveBayesTestTrainer();

        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions
        {
            Trainer = trainer,
            Folds = 4,
            Demonstrations = demonstrations,
            MislabelConfidence = 0.9,
        });

        var flagged = report.Examples.Where(d => QualityAnalyzer.IsFlaggedMislabeled(d, 0.9)).ToArray();
        var mislabeled = Assert.Single(flagged);
        Assert.Equal("g50", mislabeled.Id);
        Assert.Equal("weather_query", mislabeled.OutOfFoldLabel);
        Assert.Equal("weather_query", mislabeled.SeedLabel);
        Assert.Equal(9, trainer.TrainCalls); // 4 folds + the seed classifier + 4 folds of the realism classifier
        Assert.All(report.Examples, d => Assert.InRange(d.Realism!.Value, 0, 1));
        Assert.Equal(1, report.Classes.Single(c => c.Group == "alarm_query").FlaggedMislabeled);
        Assert.InRange(report.Overall.OutOfFoldAgreement!.Value, 0.75, 16 / 17.0);
    }

    [Fact]
    public async Task Diversity_measures_match_hand_computed_values()
    {
        Example[] set =
        [
            Make(0, "play jazz now", "music", "en"),
            Make(1, "play rock now", "music", "en"),
            Make(2, "weather today", "weather", "en"),
        ];
        Example[] gold = [Make(10, "play jazz loudly", "music", "en"), Make(11, "weather tomorrow", "weather", "en")];

        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions { GoldTest = gold });

        var music = report.Classes.Single(c => c.Group == "music");
        Assert.Equal(4 / 6.0, music.Distinct1, 6); // play, jazz, now, rock of 6 tokens
        Assert.Equal(4 / 4.0, music.Distinct2, 6); // play jazz, jazz now, play rock, rock now
        Assert.Equal(4, music.VocabularySize);
        Assert.Equal(2 / 3.0, music.GoldTestVocabularyCoverage!.Value, 6); // play, jazz of play, jazz, loudly
        Assert.Equal(3.0, music.Length.Mean, 6);
        Assert.Equal(3 / 5.0, report.Overall.GoldTestVocabularyCoverage!.Value, 6); // play, jazz, weather of 5 gold words
    }

    [Fact]
    public async Task Flags_copying_and_contamination_above_the_threshold()
    {
        Example[] set =
        [
            Make(0, "please wake me up at six tomorrow morning", "alarm", "en"),
            Make(1, "is there an alarm set for the weekend", "alarm", "en"),
            Make(2, "what alarms do I have for monday", "alarm", "en"),
        ];
        // On a set this small the classifiers are unsure about several correct examples (around 0.7), so the
        // threshold that separates the one wrong label (above 0.97 for both classifiers) is high.
        var demonstrations = new[] { Make(10, "please wake me up at six tomorrow morning thanks", "alarm", "en") };
        var gold = new[] { Make(20, "what alarms do I have for monday", "alarm", "en") };

        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions { Demonstrations = demonstrations, GoldTest = gold });

        Assert.Equal(1.0, report.Examples[0].CopyingOverlap);
        Assert.Equal(0.0, report.Examples[1].CopyingOverlap);
        Assert.Equal(1.0, report.Examples[2].ContaminationOverlap);
        Assert.Equal(1, report.Overall.FlaggedCopying);
        Assert.Equal(1, report.Overall.FlaggedContamination);
        Assert.Contains(report.Notes, n => n.Contains("label consistency not measured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_exact_and_cross_label_duplicates()
    {
        Example[] set =
        [
            Make(0, "Set an alarm for six", "alarm_set", "en"),
            Make(1, "set an alarm for six!", "alarm_set", "en"),
            Make(2, "Set an alarm for six", "alarm_query", "en"),
            Make(3, "Is it raining in Swansea", "weather_query", "en"),
        ];

        var report = await QualityAnalyzer.AnalyzeAsync(set, new QualityOptions());

        Assert.Equal(0, report.Examples[1].ExactDuplicateOf);
        Assert.Equal(0, report.Examples[2].OtherLabelDuplicateOf);
        Assert.Equal(2, report.Examples[0].OtherLabelDuplicateOf);
        Assert.Null(report.Examples[3].OtherLabelDuplicateOf);
        Assert.Equal(1, report.Overall.ExactDuplicates);
    }
}
