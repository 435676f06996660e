using LowResGen.Common;
using LowResGen.Generation;

namespace LowResGen.Tests.Generation;

public class GenerationStrategyTests
{
    [Fact]
    public void EveryPresetParsesToItsComponentsAndBackToItsName()
    {
        var expected = new Dictionary<string, (DemonstrationSource, LabelDescriptionSource, bool)>
        {
            ["sl"] = (DemonstrationSource.None, LabelDescriptionSource.Summarized, false),
            ["english-demos+sl"] = (DemonstrationSource.English, LabelDescriptionSource.Summarized, false),
            ["english-demos+revision"] = (DemonstrationSource.English, LabelDescriptionSource.None, true),
            ["target-demos"] = (DemonstrationSource.Target, LabelDescriptionSource.None, false),
            ["target-demos+sl"] = (DemonstrationSource.Target, LabelDescriptionSource.Summarized, false),
            ["target-demos+revision"] = (DemonstrationSource.Target, LabelDescriptionSource.None, true),
            ["target-demos+sl+revision"] = (DemonstrationSource.Target, LabelDescriptionSource.Summarized, true),
        };
        Assert.Equal(expected.Keys.Order(), GenerationStrategy.Presets.Order());
        foreach (var (name, (demos, description, revision)) in expected)
        {
            var strategy = GenerationStrategy.Parse(name);
            Assert.Equal((demos, description, revision), (strategy.Demonstrations, strategy.Description, strategy.Revision));
            Assert.Equal(name, strategy.Name);
        }
    }

    [Fact]
    public void CompositionsCarryTheirOptions()
    {
        var strategy = GenerationStrategy.Parse(" Target-Demos:k=5 + human-desc + revision ");
        Assert.Equal(new GenerationStrategy(DemonstrationSource.Target, LabelDescriptionSource.Human, true, 5), strategy);
        Assert.Equal("target-demos:k=5+human-desc+revision", strategy.Name);
        Assert.Equal(strategy, GenerationStrategy.Parse(strategy.Name));
        Assert.Equal(20, GenerationStrategy.Parse("sl:k=20+english-demos").SummaryExamplesPerLabel);
        Assert.Equal("zero-shot", GenerationStrategy.Parse("zero-shot").Name);
    }

    [Theory]
    [InlineData("target-demos+english-demos", "chosen twice")]
    [InlineData("target-demos:k=0", "positive whole number")]
    [InlineData("target-demos:n=3", "unknown option")]
    [InlineData("sl+magic", "Unknown strategy component 'magic'")]
    [InlineData("revision:k=2", "takes no options")]
    public void BadCompositionsSayWhatIsWrong(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => GenerationStrategy.Parse(text));
        Assert.Contains(problem, error.Message);
        Assert.Contains("target-demos+sl+revision", error.Message);
    }

    [Fact]
    public async Task AStrategyFileNamesTheBadLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"strategies-{Guid.NewGuid():N}.txt");
        try
        {
            await File.WriteAllTextAsync(path, "# my strategies\nsl\n\ntarget-demos:k=3+revision\n");
            var strategies = await GenerationStrategy.ReadFileAsync(path, CancellationToken.None);
            Assert.Equal(["sl", "target-demos:k=3+revision"], strategies.Select(s => s.Name));

            await File.WriteAllTextAsync(path, "sl\ntarget-demos+bogus\n");
            var error = await Assert.ThrowsAsync<DataFormatException>(() => GenerationStrategy.ReadFileAsync(path, CancellationToken.None));
            Assert.Equal(2, error.Line);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
