using LowResGen.Experiments;
using LowResGen.Tests.Experiments;

namespace LowResGen.Tests.Cli;

/// <summary>What the real CLI prints when its output is not a terminal (a pipe, as here): unwrapped, uniform errors, one version.</summary>
public sealed class CliOutputTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-cli-output-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Version_and_info_print_the_same_version()
    {
        var version = await CliProcess.RunAsync("--version");
        var info = await CliProcess.RunAsync("info");

        Assert.Equal(0, version.ExitCode);
        Assert.Equal($"LowResGen {version.Stdout.Trim()}", info.Stdout.Split('\n')[0].Trim());
        Assert.StartsWith(typeof(LowResGen.Data.Example).Assembly.GetName().Version!.ToString(3), version.Stdout.Trim());
    }

    [Fact]
    public async Task Datasets_show_prints_sample_rows_without_wrapping_long_texts()
    {
        var file = Path.Combine(directory, "data.csv");
        var longText = "This sentence is deliberately much longer than eighty columns so that a wrapped table would split it over lines";
        await File.WriteAllLinesAsync(file, ["text,label", $"\"{longText}\",positive", "short and bad,negative", "another good one,positive"]);

        var result = await CliProcess.RunAsync("datasets", "show", file, "--rows", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2 sample rows:", result.Stdout);
        Assert.Contains(result.Stdout.Split('\n'), line => line.Contains(longText, StringComparison.Ordinal));
        Assert.Contains("short and bad", result.Stdout); // every label before any label twice
        Assert.DoesNotContain("another good one", result.Stdout);
    }

    [Fact]
    public async Task Parse_errors_use_the_same_prefix_as_other_errors()
    {
        var result = await CliProcess.RunAsync("generate", "--task", "intent");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("error: Option '--language' is required", StringComparison.Ordinal));
        Assert.All(lines.SkipLast(1), l => Assert.StartsWith("error: ", l));
        Assert.Equal("See: lowresgen generate --help", lines[^1].Trim());
    }

    [Fact]
    public async Task Study_plan_summarizes_by_kind_and_model_and_lists_cells_with_all()
    {
        var file = Path.Combine(directory, "study.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(new Uri("http://127.0.0.1:9/v1"), "\"target-demos\"", "out",
            "llm_classification = [\"zero-shot\"]"));

        var summary = await CliProcess.RunAsync("study", "plan", file);
        var all = await CliProcess.RunAsync("study", "plan", file, "--all");

        Assert.True(summary.ExitCode == 0, summary.Stderr);
        Assert.Matches(@"│ Generate\s+│ fake\s+│\s+2 │\s+0 │", summary.Stdout);
        Assert.Matches(@"│ Gold\s+│ -\s+│\s+2 │", summary.Stdout);
        Assert.DoesNotContain("generate__intent__cy__fake__target-demos", summary.Stdout);
        Assert.Contains("(--all lists every cell)", summary.Stdout);
        Assert.Contains("generate__intent__cy__fake__target-demos", all.Stdout);
        Assert.Contains("classify__intent__sw__fake__llm-zero-shot", all.Stdout);
    }

    [Fact]
    public async Task Study_plan_names_the_data_files_that_do_not_exist()
    {
        var file = Path.Combine(directory, "study.toml");
        var toml = StudyFixtures.StudyToml(new Uri("http://127.0.0.1:9/v1"), "\"target-demos\"", "out")
            .Replace("{lang}-test.csv", "{lang}-no-such-test.csv", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, toml);

        var result = await CliProcess.RunAsync("study", "plan", file);
        var strict = await CliProcess.RunAsync("study", "plan", file, "--strict");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("cy-no-such-test.csv does not exist", result.Stderr);
        Assert.Contains("sw-no-such-test.csv does not exist", result.Stderr);
    }

    [Fact]
    public async Task The_call_estimate_counts_every_k_shot_repeat_over_the_real_test_set()
    {
        var file = Path.Combine(directory, "study.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(new Uri("http://127.0.0.1:9/v1"), "\"target-demos\"", "out",
            "llm_classification = [\"zero-shot\", \"3-shot-gold\"]"));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);
        var texts = (await LowResGen.Data.Import.ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "test"),
            new LowResGen.Data.Import.ImportOptions { Language = "cy" }, CancellationToken.None)).Examples.Count;

        var plan = await StudyService.PlanAsync(study, ShardSpec.Whole, CancellationToken.None);

        var cy = plan.Cells.Where(c => c.Cell.Kind == CellKind.Classify && c.Cell.Language == "cy").ToDictionary(c => c.Cell.Setting, c => c.EstimatedLlmCalls);
        Assert.Equal(texts, cy["llm-zero-shot"]);
        Assert.Equal(study.Seeds * texts, cy["llm-3-shot-gold"]);
        Assert.Empty(plan.MissingFiles);
    }
}
