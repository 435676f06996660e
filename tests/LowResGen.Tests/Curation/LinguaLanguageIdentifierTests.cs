using LowResGen.Common;

namespace LowResGen.Tests.Curation;

public sealed class LinguaLanguageIdentifierTests
{
    // One detector for the class: building it loads language models lazily, and the models are shared anyway.
    private static readonly LinguaLanguageIdentifier Identifier = new();

    [Theory]
    [InlineData("cym_Latn", "cy")]
    [InlineData("tel_Telu", "te")]
    [InlineData("deu_Latn", "de")]
    public void Detects_the_language_of_real_sentences(string flores, string iso1)
    {
        var sentences = ReadSib200Texts(flores).Take(30).ToArray();
        var guesses = sentences.Select(Identifier.Identify).ToArray();

        var share = guesses.Count(g => g.Code == iso1) / (double)guesses.Length;
        Assert.True(share >= 0.95, $"only {share:P0} of {flores} sentences detected as {iso1}");
        Assert.All(guesses.Where(g => g.Code == iso1), g => Assert.InRange(g.Confidence, 0.0 + double.Epsilon, 1.0));
    }

    [Fact]
    public void Flags_a_german_line_in_a_welsh_set()
    {
        var welsh = ReadSib200Texts("cym_Latn").Take(15).ToList();
        const string German = "Ich möchte bitte morgen früh um sieben Uhr geweckt werden.";
        welsh.Insert(7, German);

        var notWelsh = welsh.Where(t => Identifier.Identify(t).Code != "cy").ToArray();

        Assert.Equal([German], notWelsh);
        Assert.Equal("de", Identifier.Identify(German).Code);
        Assert.True(Identifier.ConfidenceOf(German, "cy") < 0.2);
    }

    [Fact]
    public void Maps_codes_and_reports_support()
    {
        Assert.True(Identifier.Supports("cy"));
        Assert.True(Identifier.Supports("Welsh"));
        Assert.True(Identifier.Supports("tel"));
        Assert.False(Identifier.Supports("fr"));
        Assert.False(Identifier.Supports("xx"));
        Assert.Equal(11, Identifier.Languages.Count);

        var withFrench = LinguaLanguageIdentifier.ForTarget("fr");
        Assert.True(withFrench.Supports("fr"));
        Assert.Equal("fr", withFrench.Identify("Je voudrais réserver un billet de train pour Paris demain matin.").Code);
        Assert.False(LinguaLanguageIdentifier.LinguaKnows("gd"));
    }

    [Fact]
    public void Confidences_sum_to_one_and_undecidable_text_has_no_language()
    {
        var values = Identifier.ConfidenceValues("Pa larymau sydd wedi eu gosod ar gyfer heddiw?");
        Assert.Equal(11, values.Count);
        Assert.Equal(1.0, values.Sum(v => v.Value), 3);
        Assert.Equal("cy", values[0].Key);

        var none = Identifier.Identify("12345 !!!");
        Assert.Null(none.Code);
        Assert.Equal(0, none.Confidence);
    }

    private static IEnumerable<string> ReadSib200Texts(string flores) =>
        File.ReadLines(SharedData.Sib200(flores, "test")).Skip(1).Select(line => line.Split('\t')[2]);
}
