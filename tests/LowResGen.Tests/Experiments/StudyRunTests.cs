using LowResGen.Experiments;

namespace LowResGen.Tests.Experiments;

/// <summary>Whole studies against a deterministic local OpenAI-compatible server: resume after kill -9, shards, edits.</summary>
public sealed class StudyRunTests() : StudyServerTest("lowresgen-study-")
{
    private async Task<(StudyDefinition Study, string File)> WriteStudyAsync(string name, string? strategies = null, string extra = "")
    {
        var file = Path.Combine(Root, name + ".toml");
        await File.WriteAllTextAsync(file, strategies is null
            ? StudyFixtures.StudyToml(Server.BaseUrl, output: name, extra: extra)
            : StudyFixtures.StudyToml(Server.BaseUrl, strategies, name, extra));
        return (await StudyDefinition.LoadAsync(file, CancellationToken.None), file);
    }

    private static async Task<StudyRunResult> RunAsync(StudyDefinition study, ShardSpec shard)
    {
        await using var executor = StudyCellExecutor.Create(study);
        return await StudyService.RunAsync(study, shard, executor, null, CancellationToken.None);
    }

    [Fact]
    public async Task Killed_mid_run_and_restarted_gives_the_same_outputs_as_an_uninterrupted_run()
    {
        var (reference, _) = await WriteStudyAsync("uninterrupted");
        var whole = await RunAsync(reference, ShardSpec.Whole);
        Assert.Empty(whole.Failures);
        Assert.Equal(10, whole.Ran);

        var (_, file) = await WriteStudyAsync("killed");
        Server.ResponseDelay = TimeSpan.FromMilliseconds(40);
        using (var process = CliProcess.Start("study", "run", file, "--plain"))
        {
            var examples = Path.Combine(Root, "killed", "cells");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !(Directory.Exists(examples)
                       && Directory.GetFiles(examples, "*-examples.jsonl", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 0)))
            {
                await Task.Delay(20);
            }

            process.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            await process.WaitForExitAsync();
        }

        var killedStore = Path.Combine(Root, "killed", "study.db");
        var finishedBeforeKill = 0;
        if (File.Exists(killedStore))
        {
            await using var store = await StudyStore.OpenAsync(killedStore, CancellationToken.None);
            finishedBeforeKill = (await store.ReadAllAsync(CancellationToken.None)).Count;
        }

        Assert.True(finishedBeforeKill < 10, "the process was killed only after it had finished");

        Server.ResponseDelay = TimeSpan.Zero;
        var (exitCode, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "study", "run", file, "--plain");
        Assert.Contains($"{10 - finishedBeforeKill} cells", output.Split('\n').Last(l => l.StartsWith("Ran ", StringComparison.Ordinal)).Replace("Ran ", ""));
        Assert.True(exitCode == 0, output + error);
        Assert.Equal(await StudyFixtures.FingerprintAsync(Path.Combine(Root, "uninterrupted")),
            await StudyFixtures.FingerprintAsync(Path.Combine(Root, "killed")));
    }

    [Fact]
    public async Task Three_shards_merged_give_the_same_results_as_one_process()
    {
        var (reference, _) = await WriteStudyAsync("single");
        Assert.Empty((await RunAsync(reference, ShardSpec.Whole)).Failures);

        var (sharded, _) = await WriteStudyAsync("sharded");
        var ran = 0;
        for (var i = 0; i < 3; i++)
        {
            var result = await RunAsync(sharded, new ShardSpec(i, 3));
            Assert.Empty(result.Failures);
            ran += result.Ran;
        }

        Assert.Equal(10, ran);
        var merged = await StudyService.MergeAsync(sharded, 3, CancellationToken.None);
        Assert.Equal(10, merged.Added);
        Assert.Empty(merged.MissingShards);
        Assert.Equal(await StudyFixtures.FingerprintAsync(Path.Combine(Root, "single")),
            await StudyFixtures.FingerprintAsync(Path.Combine(Root, "sharded")));
    }

    [Fact]
    public async Task A_cell_below_per_class_exits_with_the_shortfall_code_and_the_report_marks_it()
    {
        // One request per label of six texts cannot fill 40 per class.
        var file = Path.Combine(Root, "short.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(Server.BaseUrl, "\"target-demos\"", "short")
            .Replace("per_class = 4", "per_class = 40").Replace("max_attempts = 3", "max_attempts = 1").Replace("languages = [\"cy\", \"sw\"]", "languages = [\"cy\"]"));

        var (exitCode, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "study", "run", file, "--plain");

        Assert.True(exitCode == 3, output + error);
        Assert.Contains("Ran 3 cells, 0 already done, 0 failed, 1 short.", output);
        Assert.Contains("error: 1 generation run(s) ended with classes below their quota", error);
        Assert.Matches(@"generate__intent__cy__fake__target-demos: \d+(–\d+)? of 40 per class; short: \w+ \d+/40", error);

        // The report says which cells fell short and with what, and marks the evaluation of the short set.
        (exitCode, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "study", "report", file);
        Assert.True(exitCode == 0, output + error);
        var markdown = await File.ReadAllTextAsync(Path.Combine(Root, "short", "report.md"));
        Assert.Contains("## Shortfalls", markdown);
        Assert.Matches(@"\| intent cy fake target-demos \| Generate \| \d+(–\d+)? of 40 \|", markdown);
        Assert.Matches(@"\| target-demos \| [^|]*⚠ \d+(–\d+)? of 40/class", markdown);
        Assert.Contains("class=\"short\"", await File.ReadAllTextAsync(Path.Combine(Root, "short", "report.html")));

        // Allowed on the command line or in the study file: the same finished study exits 0 with a warning.
        (exitCode, _, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "study", "run", file, "--plain", "--allow-shortfall");
        Assert.Equal(0, exitCode);
        Assert.StartsWith("warning: 1 generation run(s)", error);
        var allowedInFile = File.ReadAllText(file).Replace("language_check = false", "language_check = false\nallow_shortfall = true");
        await File.WriteAllTextAsync(file, allowedInFile);
        (exitCode, _, _) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "study", "run", file, "--plain");
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Editing_one_strategy_reruns_only_its_cells_and_the_report_shows_all()
    {
        const string llm = "llm_classification = [\"zero-shot\", \"2-shot-generated\"]\nllm_classification_limit = 20";
        var (first, _) = await WriteStudyAsync("edited", extra: llm);
        Assert.Equal(14, (await RunAsync(first, ShardSpec.Whole)).Ran);
        var requests = Server.RequestCount;

        // 2-shot-generated takes its demonstrations from the first strategy's generated set, which is unchanged.
        var (edited, file) = await WriteStudyAsync("edited", "\"target-demos\", \"english-demos+sl\"", llm);
        var plan = await StudyService.PlanAsync(edited, ShardSpec.Whole, CancellationToken.None);
        Assert.Equal(10, plan.Done);
        Assert.All(plan.Cells.Where(c => !c.Done), c => Assert.Equal("english-demos+sl", c.Cell.Strategy));

        var second = await RunAsync(edited, ShardSpec.Whole);
        Assert.Equal(4, second.Ran);
        Assert.Equal(10, second.Skipped);
        Assert.True(Server.RequestCount > requests);

        var (exitCode, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "study", "report", file);
        Assert.True(exitCode == 0, output + error);
        var markdown = await File.ReadAllTextAsync(Path.Combine(Root, "edited", "report.md"));
        Assert.Contains("| english-demos+sl |", markdown);
        Assert.Contains("| english-demos+revision |", markdown);
        Assert.Contains("| gold |", markdown);
        Assert.Contains("| llm-zero-shot |", markdown);
        Assert.Contains("| llm-2-shot-generated |", markdown);
    }
}
