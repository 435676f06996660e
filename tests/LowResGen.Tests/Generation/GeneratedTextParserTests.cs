using LowResGen.Generation;

namespace LowResGen.Tests.Generation;

public class GeneratedTextParserTests
{
    private static string[] Candidates(string raw, bool cut = false) =>
        [.. GeneratedTextParser.Parse(raw, cut).Where(i => i.IsCandidate).Select(i => i.Text)];

    [Fact]
    public void NumberedListAfterPreambleKeepsOnlyTheItems()
    {
        var raw = "Here are 3 examples of alarm queries in Welsh:\n\n1. Pa larymau sydd gen i?\n2) Ydy'r larwm wedi'i osod?\n3. Faint o'r gloch mae'r larwm?";
        Assert.Equal(["Pa larymau sydd gen i?", "Ydy'r larwm wedi'i osod?", "Faint o'r gloch mae'r larwm?"], Candidates(raw));
        var items = GeneratedTextParser.Parse(raw, false);
        Assert.Equal(GeneratedTextParser.Preamble, items[0].Problem);
    }

    [Fact]
    public void ListOnOneLineIsSplitAtItsRunningNumbers()
    {
        Assert.Equal(["gosod larwm am 7", "diffodd y larwm", "pa larymau sydd"],
            Candidates("1. gosod larwm am 7 2. diffodd y larwm 3. pa larymau sydd"));
        // Numbers that do not run 1, 2, 3 are text.
        Assert.Equal(["gosod larwm am 7. wedyn 9. eto"], Candidates("gosod larwm am 7. wedyn 9. eto"));
    }

    [Theory]
    [InlineData("[\"un\", \"dau wedi'i\", \"tri\"]")]
    [InlineData("```json\n[\"un\", \"dau wedi'i\", \"tri\"]\n```")]
    [InlineData("{\"examples\": [\"un\", \"dau wedi'i\", \"tri\"]}")]
    [InlineData("Here you go:\n[\"un\", \"dau wedi'i\", \"tri\"]")]
    public void JsonListsAreRead(string raw) => Assert.Equal(["un", "dau wedi'i", "tri"], Candidates(raw));

    [Fact]
    public void JsonCutByTheTokenLimitKeepsTheCompleteItemsButTheLast()
    {
        var raw = "{\"examples\": [\"un\", \"dau\", \"tri\", \"pedw";
        Assert.Equal(["un", "dau", "tri"], Candidates(raw));
        Assert.Equal(["un", "dau"], Candidates(raw, cut: true));
    }

    [Fact]
    public void EnclosingQuotesGoButApostrophesInsideWordsStay()
    {
        var raw = "\"Ydy'r larwm wedi'i osod?\"\n'Dwi'n mynd i'r dre'\n“Mae'n braf”\n„Wie spät ist es?“\n«Quelle heure est-il»\nwedi'i ffrio\n\"Gosod larwm\",";
        Assert.Equal(
            ["Ydy'r larwm wedi'i osod?", "Dwi'n mynd i'r dre", "Mae'n braf", "Wie spät ist es?", "Quelle heure est-il", "wedi'i ffrio", "Gosod larwm"],
            Candidates(raw));
    }

    [Fact]
    public void QuotesThatDoNotEncloseTheWholeItemStay()
    {
        Assert.Equal(["Chwarae \"Harry Potter\" o'r dechrau"], Candidates("1. Chwarae \"Harry Potter\" o'r dechrau"));
    }

    [Fact]
    public void BulletsAndCommentsAroundAList()
    {
        var raw = "Sure! Here they are:\n- un\n* dau\n• tri\n\nNote: these are informal.\nI hope these help!";
        Assert.Equal(["un", "dau"], Candidates("un\nEnglish: one\ndau\nTranslation: two"));
        Assert.Equal(["un", "dau", "tri"], Candidates(raw));
    }

    [Fact]
    public void InlineBulletsAreSplit() => Assert.Equal(["un", "dau", "tri"], Candidates("• un • dau • tri"));

    [Fact]
    public void TheLastItemOfAnAnswerCutByTheTokenLimitIsDropped()
    {
        var items = GeneratedTextParser.Parse("1. un\n2. dau\n3. tr", true);
        Assert.Equal(["un", "dau"], items.Where(i => i.IsCandidate).Select(i => i.Text));
        Assert.Equal(("tr", GeneratedTextParser.CutByTokenLimit), (items[^1].Text, items[^1].Problem));
    }

    [Fact]
    public void TranslationNotesAndThinkingAreRemoved()
    {
        var raw = "<think>The user wants Welsh.</think>\n1. Pa larymau sydd gen i? (Translation: Which alarms do I have?)\n2. Diffodd y larwm";
        Assert.Equal(["Pa larymau sydd gen i?", "Diffodd y larwm"], Candidates(raw));
    }

    [Fact]
    public async Task RealGeneratedWelshTextsSurviveEveryListFormat()
    {
        // Llama-3-70B output from kinit-synthetic (its apostrophes were lost upstream), plus gold texts that still have theirs.
        var generated = await LowResGen.Data.Import.ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_full"),
            new LowResGen.Data.Import.ImportOptions { Language = "cy" }, CancellationToken.None);
        var material = await GenerationMaterial.GetAsync();
        var texts = generated.Examples.Where((_, i) => i % 97 == 0).Take(10).Select(e => e.Text)
            .Concat(material.WelshTest.Where(e => e.Text.Contains('\'')).Take(5).Select(e => e.Text)).ToArray();
        var numbered = string.Join('\n', texts.Select((t, i) => $"{i + 1}. {t}"));
        var oneLine = string.Join(' ', texts.Select((t, i) => $"{i + 1}. {t}"));
        var json = System.Text.Json.JsonSerializer.Serialize(texts);
        Assert.Equal(texts, Candidates(numbered));
        Assert.Equal(texts, Candidates(oneLine));
        Assert.Equal(texts, Candidates(json));
    }
}
