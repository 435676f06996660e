using LowResGen.Common;
using LowResGen.Experiments;
using LowResGen.Llm;
using LowResGen.TestSupport;

namespace LowResGen.Tests.Experiments;

/// <summary>Issue 14: concurrent runs, bad answers, typos, llm.toml, exact replay, warnings and counters in studies.</summary>
public sealed class StudyReliabilityTests() : StudyServerTest("lowresgen-reliab-")
{
    private static string Data => SharedData.Datasets.Replace("\\", "/") + "/kinit-synthetic/{task}/{lang}";

    /// <summary>A small study: one task, one language, the given strategies and extra keys.</summary>
    private async Task<(StudyDefinition Study, string File)> WriteStudyAsync(string name, string strategies = "\"target-demos\"", string extra = "",
        string model = "", string train = "-train_human_parsed.csv")
    {
        var file = Path.Combine(Root, name + ".toml");
        await File.WriteAllTextAsync(file, $"""
            name = "{name}"
            output = "{name}"
            tasks = ["intent"]
            languages = ["cy"]
            strategies = [{strategies}]
            seeds = 1
            per_class = 3
            max_attempts = 3
            language_check = false
            {extra}

            [data]
            train = "{Data}{train}"
            test = "{Data}-test.csv"

            [[models]]
            name = "fake"
            model = "{(model.Length > 0 ? model : Server.BaseUrl.AbsoluteUri.TrimEnd('/') + "#fake-generator")}"
            """);
        return (await StudyDefinition.LoadAsync(file, CancellationToken.None), file);
    }

    private static async Task<StudyRunResult> RunAsync(StudyDefinition study, LlmClientOptions? options = null)
    {
        await using var executor = StudyCellExecutor.Create(study, options);
        return await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
    }

    private static async Task<IReadOnlyList<CellRecord>> RecordsAsync(StudyDefinition study)
    {
        await using var store = await StudyStore.OpenAsync(StudyService.StorePath(study, ShardSpec.Whole), CancellationToken.None);
        return await store.ReadAllAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Case1_a_second_run_on_the_same_study_fails_at_once_naming_the_holder_and_waits_with_wait()
    {
        var (study, file) = await WriteStudyAsync("locked");
        var held = await RunLock.AcquireAsync(StudyService.LockPath(study, ShardSpec.Whole), wait: false, CancellationToken.None);
        try
        {
            var second = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "study", "run", file, "--plain");
            Assert.Equal(1, second.ExitCode);
            Assert.Contains($"pid {Environment.ProcessId} on {Environment.MachineName}", second.Stderr);
            Assert.Contains("--wait", second.Stderr);
            Assert.Equal(0, Server.RequestCount);

            // A shard has its own store and lock: shards run side by side with each other (and with this holder).
            using var shard = await RunLock.AcquireAsync(StudyService.LockPath(study, new ShardSpec(0, 2)), wait: false, CancellationToken.None);

            using var waiting = CliProcess.Start("study", "run", file, "--plain", "--wait");
            var output = waiting.StandardOutput.ReadToEndAsync();
            var error = waiting.StandardError.ReadToEndAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(waiting.HasExited, "--wait did not wait");
            held.Dispose();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await waiting.WaitForExitAsync(timeout.Token);
            Assert.True(waiting.ExitCode == 0, await output + await error);
            Assert.Equal(3, (await RecordsAsync(study)).Count);
        }
        finally
        {
            held.Dispose();
        }
    }

    [Fact]
    public async Task Case1_a_lock_left_by_a_killed_run_is_taken_over_and_names_the_dead_holder()
    {
        var (study, file) = await WriteStudyAsync("stale");
        Server.ResponseDelay = TimeSpan.FromSeconds(30);
        var holderFile = StudyService.LockPath(study, ShardSpec.Whole) + ".holder.json";
        int pid;
        using (var process = CliProcess.Start("study", "run", file, "--plain"))
        {
            pid = process.Id;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && Server.RequestCount == 0)
            {
                await Task.Delay(20);
            }

            Assert.True(File.Exists(holderFile));
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        using var taken = await RunLock.AcquireAsync(StudyService.LockPath(study, ShardSpec.Whole), wait: false, CancellationToken.None);
        Assert.Equal(pid, taken.TookOverFrom?.Pid);
    }

    [Fact]
    public async Task Case2_a_server_that_answers_only_null_content_fails_the_cells_and_a_rerun_after_the_fix_generates()
    {
        var (study, _) = await WriteStudyAsync("nulls");
        var broken = true;
        Server.Faults = _ => Volatile.Read(ref broken) ? FakeFault.NullContent : FakeFault.None;
        var fast = new LlmClientOptions { Retry = Llm.LlmTestKit.FastRetry with { MaxRetries = 1 } };

        var first = await RunAsync(study, fast);
        Assert.Equal(1, first.Ran); // gold only
        Assert.Contains(first.Failures, f => f.Cell.Kind == CellKind.Generate);
        Assert.Contains(first.Failures, f => f.Cell.Kind == CellKind.Evaluate);
        Assert.DoesNotContain(await RecordsAsync(study), r => r.Kind is CellKind.Generate or CellKind.Evaluate);

        Volatile.Write(ref broken, false);
        var requests = Server.RequestCount;
        var second = await RunAsync(study, fast);
        Assert.Empty(second.Failures);
        Assert.Equal(2, second.Ran);
        Assert.True(Server.RequestCount > requests);
        var evaluated = Assert.Single(await RecordsAsync(study), r => r.Kind == CellKind.Evaluate);
        Assert.True(evaluated.Scores.All(s => s.MacroF1 > 0));
    }

    [Fact]
    public async Task Case6_requests_that_exhaust_their_retries_are_failed_attempts_and_the_class_asks_again()
    {
        // Every class's first two requests fail (HTTP 500) and no retry is allowed: each class needs its third attempt.
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        Server.Faults = r =>
        {
            var label = LowResGen.Data.BuiltInTasks.Massive10.Labels.FirstOrDefault(l => r.LastUserMessage.Contains($"\"{l}\"", StringComparison.Ordinal)) ?? "";
            return failures.AddOrUpdate(label, 1, (_, n) => n + 1) <= 2 ? FakeFault.ServerError : FakeFault.None;
        };
        var (study, _) = await WriteStudyAsync("isolated", extra: "");
        var noRetries = new LlmClientOptions { Retry = Llm.LlmTestKit.FastRetry with { MaxRetries = 0 } };

        var result = await RunAsync(study, noRetries);

        Assert.True(result.Failures.Count == 0, string.Join("\n", result.Failures.Select(f => f.Error)));
        Assert.Equal(3, result.Ran);
        Assert.All(failures, f => Assert.Equal(3, f.Value));
        var generated = await File.ReadAllLinesAsync(Directory.GetFiles(study.OutputDirectory, "cy-generated.csv", SearchOption.AllDirectories).Single());
        Assert.Equal(1 + (10 * 3), generated.Length);
    }

    [Fact]
    public async Task Case6_a_server_that_refuses_connections_fails_fast_with_a_hint()
    {
        var port = LoopbackServer.ClosedPort();
        var (study, _) = await WriteStudyAsync("refused", model: $"http://127.0.0.1:{port}/v1#nobody");

        var result = await RunAsync(study);

        var failure = Assert.Single(result.Failures, f => f.Cell.Kind == CellKind.Generate);
        Assert.Contains($"refused: is the server running at http://127.0.0.1:{port}/v1?", failure.Error);
        Assert.Contains("gave up after 3 attempts", failure.Error); // two quick retries, not backoff for a minute
    }

    [Theory]
    [InlineData("per_clas = 10", "per_clas", "per_class")]
    [InlineData("language_chek = true", "language_chek", "language_check")]
    [InlineData("strategy = [\"sl\"]", "strategy", "strategies")]
    public void Case3_a_typo_in_a_study_file_names_file_line_key_and_the_closest_key(string line, string typo, string closest)
    {
        var toml = $"name = \"typo\"\ntasks = [\"intent\"]\nlanguages = [\"cy\"]\n{line}\n\n[data]\ntrain = \"a.csv\"\ntest = \"b.csv\"\n";
        var error = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse(toml, "/tmp/typo.toml"));
        Assert.Equal(4, error.Line);
        Assert.Equal(typo, error.Field);
        Assert.StartsWith("/tmp/typo.toml:4", error.Message);
        Assert.Contains($"did you mean '{closest}'", error.Message);
    }

    [Fact]
    public void Case3_unknown_keys_in_nested_tables_and_in_llm_toml_are_errors_too()
    {
        var study = "tasks = [\"intent\"]\nlanguages = [\"cy\"]\n\n[data]\ntrain = \"a.csv\"\ntset = \"b.csv\"\n";
        var error = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse(study, "s.toml"));
        Assert.Equal((6L, "data.tset"), (error.Line, error.Field));
        Assert.Contains("did you mean 'test'", error.Message);

        var llm = "[[models]]\nname = \"m\"\nendpoints = [ { url = \"http://127.0.0.1:1/v1\", max_inflight = 4 } ]\n";
        error = Assert.Throws<DataFormatException>(() => LlmConfig.Parse(llm, "llm.toml"));
        Assert.Equal((3L, "models.endpoints.max_inflight"), (error.Line, error.Field));
        Assert.Contains("did you mean 'max_in_flight'", error.Message);

        error = Assert.Throws<DataFormatException>(() => LlmConfig.Parse("modles = 1\n", "llm.toml"));
        Assert.Equal((1L, "modles"), (error.Line, error.Field));
    }

    [Fact]
    public void Case3_every_property_of_the_study_records_is_a_known_key()
    {
        Assert.Contains("per_class", StudyDefinition.Keys.Names);
        Assert.Contains("llm_classification_limit", StudyDefinition.Keys.Names);
        Assert.DoesNotContain("base_directory", StudyDefinition.Keys.Names);
    }

    [Fact]
    public async Task Case4_a_study_resolves_its_models_through_llm_toml_with_api_key_env()
    {
        var (variable, key) = Llm.LlmTestKit.NewApiKey();
        Server.Faults = r => r.Authorization == $"Bearer {key}" ? FakeFault.None : FakeFault.Unauthorized;
        var config = Path.Combine(Root, "llm.toml");
        await File.WriteAllTextAsync(config, $$"""
            [[models]]
            name = "authed"
            model = "fake-generator"
            api_key_env = "{{variable}}"
            endpoints = [ { url = "{{Server.BaseUrl.AbsoluteUri.TrimEnd('/')}}", max_in_flight = 4 } ]
            """);
        var (study, file) = await WriteStudyAsync("configured", model: "authed");

        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "study", "run", file, "--plain", "--llm-config", config);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.True(Server.RequestCount > 0);
        Assert.All(Server.Requests, r => Assert.Equal($"Bearer {key}", r.Authorization));
        Assert.DoesNotContain(key, run.Stdout + run.Stderr);
        Assert.Equal(3, (await RecordsAsync(study)).Count);
    }

    [Fact]
    public async Task Case5_a_study_replayed_from_its_cache_sends_no_request_and_reproduces_its_outputs_byte_for_byte()
    {
        // Identical requests get different answers (a sampling server), and the two strategies send identical generation prompts.
        Server.Responder = r =>
        {
            var answer = StudyFixtures.Respond(r);
            var lines = answer.Split('\n');
            return lines.Length < 3 || !lines[0].StartsWith("Here are", StringComparison.Ordinal)
                ? answer
                : string.Join('\n', lines.Take(1).Concat(lines.Skip(1).OrderBy(_ => Random.Shared.Next())));
        };
        const string strategies = "\"target-demos\", \"target-demos+revision\"";
        var (original, _) = await WriteStudyAsync("original", strategies);
        Assert.Empty((await RunAsync(original)).Failures);
        var requests = Server.RequestCount;

        var (replay, _) = await WriteStudyAsync("replay", strategies);
        Directory.CreateDirectory(replay.OutputDirectory);
        File.Copy(Path.Combine(original.OutputDirectory, "llm-cache.db"), Path.Combine(replay.OutputDirectory, "llm-cache.db"));
        Assert.Empty((await RunAsync(replay)).Failures);

        Assert.Equal(requests, Server.RequestCount);
        Assert.Equal(await StudyFixtures.FingerprintAsync(original.OutputDirectory), await StudyFixtures.FingerprintAsync(replay.OutputDirectory));
        foreach (var csv in Directory.GetFiles(original.OutputDirectory, "*.csv", SearchOption.AllDirectories))
        {
            var twin = Path.Combine(replay.OutputDirectory, Path.GetRelativePath(original.OutputDirectory, csv));
            Assert.Equal(await File.ReadAllBytesAsync(csv), await File.ReadAllBytesAsync(twin));
        }
    }

    [Fact]
    public async Task Case8_plan_warns_on_a_missing_data_file_and_merge_on_a_missing_shard_non_zero_with_strict()
    {
        var (_, file) = await WriteStudyAsync("missing", train: "-no-such-file.csv");

        var plan = await CliProcess.RunAsync("study", "plan", file);
        Assert.True(plan.ExitCode == 0, plan.Stdout + plan.Stderr);
        Assert.Contains("warning: data file", plan.Stderr);
        Assert.Contains("no-such-file.csv", plan.Stderr);
        Assert.Equal(1, (await CliProcess.RunAsync("study", "plan", file, "--strict")).ExitCode);

        var merge = await CliProcess.RunAsync("study", "merge", file, "--shards", "2");
        Assert.True(merge.ExitCode == 0, merge.Stdout + merge.Stderr);
        Assert.Contains("shard-1-of-2.db does not exist", merge.Stderr);
        Assert.Equal(1, (await CliProcess.RunAsync("study", "merge", file, "--shards", "2", "--strict")).ExitCode);
    }

    [Fact]
    public async Task Case9_classify_cells_record_their_tokens_and_study_run_shows_retries_and_failures_per_model()
    {
        var (study, file) = await WriteStudyAsync("counted", extra: "llm_classification = [\"zero-shot\"]\nllm_classification_limit = 20");
        var seen = 0;
        Server.Faults = _ => Interlocked.Increment(ref seen) % 9 == 0 ? FakeFault.ServerError : FakeFault.None;

        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "study", "run", file, "--plain", "--retries", "3");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var classify = Assert.Single(await RecordsAsync(study), r => r.Kind == CellKind.Classify);
        Assert.True(classify.LlmTokens > 0, "classify cell recorded 0 tokens");
        var line = Assert.Single(run.Stdout.Split('\n'), l => l.StartsWith("LLM fake", StringComparison.Ordinal));
        var retries = Server.RequestCount / 9;
        Assert.Contains($"{retries} retries", line);
        Assert.Contains("0 failed", line);
    }
}
