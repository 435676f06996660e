using LowResGen.Common;
using LowResGen.Curation;
using LowResGen.Data;
using LowResGen.Generation;

namespace LowResGen.Tests.Common;

/// <summary>Generation, translation and curation compare texts with one normalizer and measure them with one length rule.</summary>
public sealed class SharedTextRulesTests
{
    // Pairs that differ only in Unicode form, width, ligatures, case, punctuation or spacing, and pairs that really differ.
    private static readonly (string A, string B, bool Same)[] Pairs =
    [
        ("Caf\u00e9 ar agor?", "cafe\u0301 ar agor", true),               // composed vs decomposed accent (NFC and NFKC agree)
        ("\uff21\uff4c\uff41\uff52\uff4d", "alarm", true),                  // full-width letters: only NFKC folds them
        ("\ufb01lm heno", "film heno!", true),                               // the "fi" ligature: only NFKC folds it
        ("Ydy'r larwm wedi'i osod?", "ydy r larwm wedi i osod", true),      // apostrophes are punctuation in the key
        ("\u0e40\u0e1b\u0e34\u0e14\u0e44\u0e1f", "\u0e1b\u0e34\u0e14\u0e44\u0e1f", false), // Thai "turn on" vs "turn off"
        ("Pa larymau sydd gen i heddiw?", "Pa larymau sydd gen i yfory?", false),
    ];

    [Fact]
    public void GenerationAndCurationNormalizeEveryTextIdentically()
    {
        foreach (var (a, b, same) in Pairs)
        {
            Assert.Equal(TextShingles.Normalize(a), DuplicateTracker.Normalize(a));
            Assert.Equal(TextShingles.Normalize(b), DuplicateTracker.Normalize(b));
            Assert.Equal(same, DuplicateTracker.Normalize(a) == DuplicateTracker.Normalize(b));
        }
    }

    [Fact]
    public async Task GenerationRejectsAsDuplicateExactlyWhatCurationFlagsAsDuplicate()
    {
        foreach (var (a, b, same) in Pairs)
        {
            var tracker = new DuplicateTracker();
            Assert.Null(tracker.Check(a));
            var generationSaysDuplicate = tracker.Check(b) is not null;

            Example[] examples = [new("a", a, "x", "cy", Splits.Generated, "test"), new("b", b, "x", "cy", Splits.Generated, "test")];
            var report = await QualityAnalyzer.AnalyzeAsync(examples, new QualityOptions(), cancellationToken: CancellationToken.None);
            var curationSaysDuplicate = report.Examples[1].ExactDuplicateOf is not null;

            Assert.Equal(same, generationSaysDuplicate);
            Assert.Equal(generationSaysDuplicate, curationSaysDuplicate);
        }
    }

    [Fact]
    public async Task CurationsLengthFilterCountsCharactersLikeGeneration()
    {
        var intent = LengthRange.DefaultFor(BuiltInTasks.Massive10.LabelKind);
        // A Thai request ("set an alarm for the morning") has no spaces: one "word" by a word count, long enough by the length rule.
        var thai = "\u0e15\u0e31\u0e49\u0e07\u0e19\u0e32\u0e2c\u0e34\u0e01\u0e32\u0e1b\u0e25\u0e38\u0e01\u0e15\u0e2d\u0e19\u0e40\u0e0a\u0e49\u0e32";
        Example[] examples = [new("thai", thai, "alarm_set", "th", Splits.Generated, "test"), new("short", "ok", "alarm_set", "th", Splits.Generated, "test")];
        var report = await QualityAnalyzer.AnalyzeAsync(examples, new QualityOptions(), task: "intent", cancellationToken: CancellationToken.None);
        var filter = CurationFilter.Parse("length");

        Assert.Equal(intent.MinCharacters, report.Settings.MinCharacters);
        Assert.Equal(LengthRange.Length(thai), report.Examples[0].Characters);
        Assert.Null(filter.Reason(report.Examples[0], report.Settings));
        Assert.True(intent.Contains(thai));
        Assert.Equal("2 characters", filter.Reason(report.Examples[1], report.Settings));
        Assert.False(intent.Contains("ok"));
        Assert.Equal("2 characters, outside 6-200 characters", intent.Problem("ok"));
    }
}
