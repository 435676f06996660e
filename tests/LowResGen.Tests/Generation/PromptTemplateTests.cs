using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Generation;

namespace LowResGen.Tests.Generation;

public class PromptTemplateTests
{
    private static readonly LabelContext Alarm = new("massive10", "alarm_query", "intent", "Welsh", "The user asks which alarms are set.");

    private static Example Demo(int i) => new($"d{i}", $"demonstration number {i} with several words in it", "alarm_query", "cy", "train", "test");

    [Theory]
    [InlineData(PromptTemplate.Generate)]
    [InlineData(PromptTemplate.Judge)]
    [InlineData(PromptTemplate.Describe)]
    public void BuiltInTemplatesLoadWithAVersion(string name)
    {
        var template = PromptTemplate.Load(name, null);
        Assert.Equal($"{name}/1", template.Version);
        Assert.Equal("built-in", template.Origin);
    }

    [Fact]
    public void TheGenerationPromptHasTheCountLabelMeaningDemonstrationsAndFormat()
    {
        var builder = new GenerationPromptBuilder(PromptTemplate.Load(PromptTemplate.Generate, null), askForJsonList: false);
        var prompt = builder.Build(Alarm, 12, [Demo(1), Demo(2)], null, 500);
        var user = prompt.Messages[1].Text;
        Assert.Contains("Welsh", prompt.Messages[0].Text);
        Assert.Contains("Write 12 different texts in Welsh whose intent is \"alarm_query\"", user);
        Assert.Contains("means: The user asks which alarms are set.", user);
        Assert.Contains("demonstration number 2", user);
        Assert.Contains("one text per line", user);
        Assert.DoesNotContain("\n\n\n", user);

        var bare = builder.Build(Alarm with { Description = null }, 12, [], null, 500).Messages[1].Text;
        Assert.DoesNotContain("means:", bare);
        Assert.DoesNotContain("Examples of texts", bare);
        Assert.NotEqual(prompt.Hash, builder.Build(Alarm, 12, [Demo(1)], null, 500).Hash);

        var json = new GenerationPromptBuilder(PromptTemplate.Load(PromptTemplate.Generate, null), askForJsonList: true);
        Assert.Contains("{\"examples\":", json.Build(Alarm, 12, [], null, 500).Messages[1].Text);
    }

    [Fact]
    public void DemonstrationsAreDroppedOneAtATimeUntilThePromptFits()
    {
        var builder = new GenerationPromptBuilder(PromptTemplate.Load(PromptTemplate.Generate, null), false);
        var counter = new WordTokenCounter(1000);
        var demos = Enumerable.Range(1, 10).Select(Demo).ToArray();
        var six = counter.CountChatTokens(builder.Build(Alarm, 12, demos[..6], null, 0).Messages);
        var none = counter.CountChatTokens(builder.Build(Alarm, 12, [], null, 0).Messages);

        // Room for the prompt with exactly 6 demonstrations plus the answer budget.
        var context = (ContextLength: six + 100, Count: (Func<IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>, int>)(m => counter.CountChatTokens(m)));
        var fitted = builder.Build(Alarm, 12, demos, context, 100);
        Assert.Equal(6, fitted.Demonstrations.Count);
        Assert.Equal(4, fitted.DroppedDemonstrations);
        Assert.Equal(["d1", "d2", "d3", "d4", "d5", "d6"], fitted.Demonstrations.Select(d => d.Id));

        var hopeless = (ContextLength: none - 1, context.Count);
        Assert.Throws<InvalidOperationException>(() => builder.Build(Alarm, 12, demos, hopeless, 0));
    }

    [Fact]
    public void AUserTemplateReplacesTheBuiltInOneAndIsVersionedByContent()
    {
        var directory = Directory.CreateTempSubdirectory("templates-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "generate.txt"),
                "version: 7\n[system]\nBe brief.\n[user]\nGive {count} {language} lines for {label}.\n{demonstrations_section}\n[demonstrations]\n{demonstrations}\n");
            var template = PromptTemplate.Load(PromptTemplate.Generate, directory);
            Assert.StartsWith("generate/7+user-", template.Version);
            var prompt = new GenerationPromptBuilder(template, false).Build(Alarm, 5, [Demo(1)], null, 0);
            Assert.Equal("Give 5 Welsh lines for alarm_query.\ndemonstration number 1 with several words in it", prompt.Messages[1].Text);
            // The judge is not overridden in that directory: still the built-in one.
            Assert.Equal("judge/1", PromptTemplate.Load(PromptTemplate.Judge, directory).Version);

            File.WriteAllText(Path.Combine(directory, "generate.txt"), "version: 7\n[system]\nBe brief.\n[user]\nGive {count} of {lable}.\n");
            var error = Assert.Throws<DataFormatException>(() =>
                new GenerationPromptBuilder(PromptTemplate.Load(PromptTemplate.Generate, directory), false).Build(Alarm, 5, [], null, 0));
            Assert.Equal(5, error.Line);
            Assert.Equal("{lable}", error.Field);
            Assert.EndsWith("generate.txt", error.File);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Theory]
    [InlineData("[user]\nhi\n", "version")]
    [InlineData("version: 1\n[user]\nhi\n", "system")]
    [InlineData("version: 1\nstray text\n[system]\nx\n[user]\ny\n", null)]
    public void MalformedTemplatesAreReported(string text, string? field)
    {
        var error = Assert.Throws<DataFormatException>(() => PromptTemplate.Parse("generate", text, "my.txt"));
        Assert.Equal("my.txt", error.File);
        Assert.Equal(field, error.Field);
    }
}
