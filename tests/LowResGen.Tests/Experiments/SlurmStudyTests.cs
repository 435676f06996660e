using System.Diagnostics;
using LowResGen.Experiments;

namespace LowResGen.Tests.Experiments;

/// <summary>A test that needs a running Slurm (scripts/slurm-test-cluster.sh); skipped only where sbatch is absent, and
/// never in CI, which sets LOWRESGEN_REQUIRE_SLURM=1 after starting the cluster.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!SlurmStudyTests.SbatchAvailable && Environment.GetEnvironmentVariable("LOWRESGEN_REQUIRE_SLURM") != "1")
        {
            Skip = "sbatch not found: start a one-node cluster with scripts/slurm-test-cluster.sh (CI does)";
        }
    }
}

/// <summary>Issue 14: a study on a real (one-node, 127.0.0.1) Slurm: `study slurm` → submit.sh → array of 3 shards → merge job.</summary>
public sealed class SlurmStudyTests() : StudyServerTest("lowresgen-slurm-")
{
    public static bool SbatchAvailable =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "sbatch")));

    private async Task<(StudyDefinition Study, string File)> WriteStudyAsync(string name)
    {
        var data = SharedData.Datasets.Replace("\\", "/") + "/kinit-synthetic/{task}/{lang}";
        var file = Path.Combine(Root, name + ".toml");
        await File.WriteAllTextAsync(file, $"""
            name = "slurm-{name}"
            output = "{name}"
            tasks = ["intent"]
            languages = ["cy"]
            strategies = ["target-demos", "english-demos"]
            seeds = 1
            per_class = 3
            max_attempts = 3
            language_check = false

            [data]
            train = "{data}-train_human_parsed.csv"
            test = "{data}-test.csv"

            [[models]]
            name = "fake"
            model = "{Server.BaseUrl.AbsoluteUri.TrimEnd('/')}#fake-generator"
            """);
        return (await StudyDefinition.LoadAsync(file, CancellationToken.None), file);
    }

    private static async Task<(int ExitCode, string Output)> ShellAsync(string command)
    {
        var start = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [SlurmFact]
    public async Task A_study_submitted_as_three_shards_and_a_merge_job_equals_a_one_process_run()
    {
        Assert.True(SbatchAvailable, "LOWRESGEN_REQUIRE_SLURM=1 but sbatch is not on PATH: run scripts/slurm-test-cluster.sh");
        var (single, _) = await WriteStudyAsync("single");
        await using (var executor = StudyCellExecutor.Create(single))
        {
            Assert.Empty((await StudyService.RunAsync(single, ShardSpec.Whole, executor, null, CancellationToken.None)).Failures);
        }

        var (sharded, file) = await WriteStudyAsync("sharded");
        var slurm = await CliProcess.RunAsync("study", "slurm", file, "--shards", "3", "--time", "00:10:00");
        Assert.True(slurm.ExitCode == 0, slurm.Stdout + slurm.Stderr);
        var scripts = Path.Combine(sharded.OutputDirectory, "slurm");
        var submit = await ShellAsync($"bash '{scripts}/submit.sh'");
        Assert.True(submit.ExitCode == 0, submit.Output);

        // Wait for the array and the dependent merge job to leave the queue (a failed shard leaves the merge pending).
        const string names = "slurm-sharded-shards,slurm-sharded-merge";
        var deadline = DateTime.UtcNow.AddMinutes(2);
        string queue;
        while ((queue = (await ShellAsync($"squeue -h -n {names} -o '%i %T %r'")).Output.Trim()).Length > 0 && DateTime.UtcNow < deadline)
        {
            if (queue.Contains("DependencyNeverSatisfied", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(500);
        }

        var logs = string.Join("\n", Directory.GetFiles(Path.Combine(sharded.OutputDirectory, "slurm-logs")).Select(f => f + ":\n" + File.ReadAllText(f)));
        if (queue.Length > 0)
        {
            await ShellAsync($"scancel -n {names}");
        }

        Assert.True(queue.Length == 0, $"jobs still queued: {queue}\n{logs}");
        Assert.True(File.Exists(Path.Combine(sharded.OutputDirectory, "report.md")), logs);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(File.Exists(StudyService.StorePath(sharded, new ShardSpec(i, 3))), $"shard {i} did not run\n{logs}");
        }

        Assert.Equal(await StudyFixtures.FingerprintAsync(single.OutputDirectory), await StudyFixtures.FingerprintAsync(sharded.OutputDirectory));
    }
}
