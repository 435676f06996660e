using LowResGen.Data;
using LowResGen.LlmClassification;
using nietras.SeparatedValues;
using Xunit.Abstractions;

namespace LowResGen.Tests.LlmClassification;

public sealed class LabelMapperTests(ITestOutputHelper output)
{
    private static readonly string[] Flores =
        ["azj_Latn", "cym_Latn", "deu_Latn", "eng_Latn", "heb_Hebr", "ind_Latn", "ron_Latn", "slv_Latn", "swh_Latn", "tel_Telu", "tha_Thai"];

    private readonly LabelMapper sib = new(BuiltInTasks.Sib200);

    [Theory]
    [InlineData("Science and Technology", "science/technology")]
    [InlineData("SCIENCE/TECHNOLOGY", "science/technology")]
    [InlineData("science_technology", "science/technology")]
    [InlineData("This piece of news is regarding \"Sports\".", "sports")]
    [InlineData("It is about technology, specifically VPNs.", "science/technology")]
    [InlineData("Travel and Geography", "travel")]
    [InlineData("This is about public transportation.", "travel")]
    [InlineData("{\"label\": \"politics\"}", "politics")]
    public void Maps_variants_synonyms_and_first_mention(string answer, string expected) =>
        Assert.Equal(expected, sib.Map(answer).Label);

    [Theory]
    [InlineData("")]
    [InlineData("I'm sorry, but I cannot understand the language you used.")]
    [InlineData("It does not fit into science/technology, travel, politics, sports, health or geography.")]
    public void Answers_naming_no_label_are_unmapped(string answer) => Assert.False(sib.Map(answer).IsMapped);

    [Fact]
    public void Transportation_is_not_read_as_sport() =>
        Assert.Equal("travel", sib.Map("This concerns transportation.").Label);

    [Fact]
    public void Massive_labels_match_with_spaces_and_plurals()
    {
        var mapper = new LabelMapper(BuiltInTasks.Massive60);
        Assert.Equal("alarm_set", mapper.Map("The intent is: Alarm Set").Label);
        Assert.Equal("play_music", mapper.Map("play music, or maybe play_radio").Label);
        Assert.Equal(["play_music", "play_radio"], mapper.Map("play music, or maybe play_radio").Mentioned);
    }

    [Theory]
    [InlineData("gpt-3.5", 0.650)]
    [InlineData("gpt-4", 0.775)]
    public async Task Beats_first_mention_matching_on_real_llm_answers(string model, double published)
    {
        double mapperSum = 0, firstMentionSum = 0;
        var unmappable = 0;
        var total = 0;
        foreach (var flores in Flores)
        {
            var rows = await ReadAnswersAsync(SharedData.LlmAnswers(model, flores));
            var mapped = rows.Select(r => sib.Map(r.Answer)).ToArray();
            mapperSum += rows.Zip(mapped).Count(p => p.Second.Label == p.First.Gold) / (double)rows.Count;
            firstMentionSum += rows.Count(r => FirstMention(r.Answer) == r.Gold) / (double)rows.Count;
            unmappable += mapped.Count(m => !m.IsMapped);
            total += rows.Count;
        }

        var mapperAccuracy = mapperSum / Flores.Length;
        var firstMention = firstMentionSum / Flores.Length;
        output.WriteLine($"{model}: mapper {mapperAccuracy:F3}, first mention {firstMention:F3}, published first mention {published:F3}, unmappable {unmappable}/{total}");
        Assert.True(mapperAccuracy >= firstMention, $"mapper {mapperAccuracy:F3} < first mention {firstMention:F3}");
        Assert.True(mapperAccuracy >= published, $"mapper {mapperAccuracy:F3} < published {published:F3}");
        Assert.InRange(unmappable, 1, total / 4);
    }

    /// <summary>The baseline: the label name that occurs first in the lower-cased answer, as a plain substring.</summary>
    private static string? FirstMention(string answer)
    {
        var lower = answer.ToLowerInvariant();
        return BuiltInTasks.Sib200.Labels
            .Select(l => (Label: l, At: lower.IndexOf(l, StringComparison.Ordinal)))
            .Where(x => x.At >= 0)
            .OrderBy(x => x.At)
            .Select(x => x.Label)
            .FirstOrDefault();
    }

    private static async Task<List<(string Gold, string Answer)>> ReadAnswersAsync(string path)
    {
        var rows = new List<(string, string)>();
        using var reader = await Sep.Reader(o => o with { Unescape = true }).FromFileAsync(path);
        var category = reader.Header.IndexOf("category");
        var answer = reader.Header.ColNames.Count - 1;
        foreach (var row in reader)
        {
            rows.Add((row[category].ToString(), row[answer].ToString()));
        }

        return rows;
    }
}
