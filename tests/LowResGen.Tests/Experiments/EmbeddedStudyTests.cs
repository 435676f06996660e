using LowResGen.Experiments;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Experiments;

public class EmbeddedStudyTests
{
    [Fact]
    public async Task A_two_language_two_strategy_two_seed_study_runs_end_to_end_on_the_tiny_gguf()
    {
        var root = Directory.CreateTempSubdirectory("lowresgen-embedded-study-").FullName;
        using var cleanup = new DeleteOnDispose(root);
        var model = Path.Combine(root, "tiny.gguf");
        TinyGgufWriter.Write(model, new GgufModelSpec { ContextLength = 2048 });
        var data = SharedData.Datasets.Replace("\\", "/");
        var file = Path.Combine(root, "study.toml");
        await File.WriteAllTextAsync(file, $"""
            name = "tiny"
            tasks = ["intent"]
            languages = ["cy", "sw"]
            strategies = ["target-demos", "english-demos+sl"]
            seeds = 2
            per_class = 2
            max_attempts = 3
            max_output_tokens = 32
            language_check = false
            allow_shortfall = true

            [data]
            train = "{data}/kinit-synthetic/{"{task}"}/{"{lang}"}-train_human_parsed.csv"
            test = "{data}/kinit-synthetic/{"{task}"}/{"{lang}"}-test.csv"

            [[models]]
            name = "tiny"
            model = "{model.Replace("\\", "/")}"
            """);
        // A random model's few tokens are often rejected (U+FFFD, control characters, duplicates); with 3 attempts per
        // class every generation cell accepts something whatever the batch composition does to the sampled tokens.
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);

        var (exitCode, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "study", "run", file, "--plain");

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("Ran 10 cells, 0 already done, 0 failed, ", output);
        var report = await LowResGen.Reporting.StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        Assert.Equal(4, report.Cells.Count(c => c.Kind == CellKind.Evaluate));
        Assert.All(report.Cells.Where(c => c.Kind is CellKind.Evaluate or CellKind.Gold), c => Assert.Equal(2, c.Scores.Count));
        Assert.NotEmpty(report.Examples);
        Assert.All(report.Examples, e => Assert.Contains("template", e.Detail));
    }
}
