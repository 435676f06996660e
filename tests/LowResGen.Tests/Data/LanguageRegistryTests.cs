using LowResGen.Data;

namespace LowResGen.Tests.Data;

public class LanguageRegistryTests
{
    [Theory]
    [InlineData("cy", "cym_Latn")]
    [InlineData("cym", "cym_Latn")]
    [InlineData("cy-GB", "cym_Latn")]
    [InlineData("cym_Latn", "cym_Latn")]
    [InlineData("Welsh", "cym_Latn")]
    [InlineData("swa", "swh_Latn")]
    [InlineData("az-AZ", "azj_Latn")]
    public void Resolves_every_code_kind(string code, string flores) =>
        Assert.Equal(flores, LanguageRegistry.Default.Resolve(code).FloresCode);

    [Fact]
    public void Covers_the_eleven_reference_languages()
    {
        foreach (var code in LanguageRegistry.ReferenceLanguages)
        {
            Assert.True(LanguageRegistry.Default.TryResolve(code, out _), code);
        }

        Assert.Equal(11, LanguageRegistry.ReferenceLanguages.Count);
    }

    [Fact]
    public void Unknown_code_names_itself()
    {
        var error = Assert.Throws<ArgumentException>(() => LanguageRegistry.Default.Resolve("xx-YY"));
        Assert.Contains("xx-YY", error.Message);
    }

    [Fact]
    public void Built_in_tasks_have_a_description_for_every_label()
    {
        foreach (var task in BuiltInTasks.All)
        {
            foreach (var label in task.Labels)
            {
                Assert.False(string.IsNullOrWhiteSpace(task.DescriptionOf(label)), $"{task.Name}/{label}");
            }
        }

        Assert.Equal(60, BuiltInTasks.Massive60.Labels.Count);
        Assert.Equal(10, BuiltInTasks.Massive10.Labels.Count);
        Assert.Same(BuiltInTasks.Massive10, BuiltInTasks.Get("intent"));
    }
}
