using LowResGen.Cli.Commands;
using LowResGen.Tests.LlmClassification;
using LowResGen.TestSupport;

namespace LowResGen.Tests.Cli;

/// <summary>
/// Without network a download says which options work offline and leaves no file behind; a local server that refuses
/// connections is asked about ("is the server running at …?") after a short, bounded retry.
/// </summary>
public sealed class OfflineTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-offline-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task A_dataset_download_without_network_names_the_offline_options_and_leaves_no_file()
    {
        var output = Path.Combine(directory, "datasets");

        var (code, _, stderr) = await CliTestHost.RunAsync(DatasetsCommand.Create(), "datasets", "download", "sib200",
            "--base-url", "http://nonexistent.invalid/", "--languages", "cy", "--output", output);

        Assert.Equal(1, code);
        Assert.StartsWith("error: Cannot download http://nonexistent.invalid/", stderr);
        Assert.Contains("the name nonexistent.invalid does not resolve", stderr);
        foreach (var option in new[] { "--data-dir", "--model", "--dataset-base-url", "--model-base-url" })
        {
            Assert.Contains(option, stderr);
        }

        Assert.Empty(Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task A_model_pull_without_network_names_the_offline_options_and_leaves_no_file()
    {
        var cache = Path.Combine(directory, "models");

        var (code, _, stderr) = await CliTestHost.RunAsync(ModelsCommand.Create(), "models", "pull", "owner/repo", "model.gguf",
            "--base-url", "http://nonexistent.invalid/", "--cache-dir", cache);

        Assert.Equal(1, code);
        Assert.Contains("does not resolve", stderr);
        Assert.Contains(CliErrors.OfflineHint, stderr);
        Assert.Empty(Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task A_model_pull_from_a_local_server_that_refuses_asks_whether_it_runs_after_a_short_retry()
    {
        var port = LoopbackServer.ClosedPort();
        var cache = Path.Combine(directory, "models");

        var (code, _, stderr) = await CliTestHost.RunAsync(ModelsCommand.Create(), "models", "pull", "owner/repo", "model.gguf",
            "--base-url", $"http://127.0.0.1:{port}/", "--cache-dir", cache);

        Assert.Equal(1, code);
        Assert.Contains($"refused: is the server running at http://127.0.0.1:{port}/?", stderr);
        Assert.DoesNotContain(CliErrors.OfflineHint, stderr); // a machine with a stopped server is not offline
        // The retries before this message (after 250 and 500 ms) are checked on a fake clock:
        // ResumableDownloaderTests.An_unreachable_host_is_retried_after_250_and_500_ms_on_the_clock_then_reported.
        Assert.Empty(Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task An_llm_server_that_refuses_is_asked_about_after_two_quick_retries()
    {
        var port = LoopbackServer.ClosedPort();
        var test = Path.Combine(directory, "test.csv");
        await File.WriteAllLinesAsync(test, ["text,label", "great film,positive", "boring,negative"]);

        var (code, _, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), "classify", "--model", $"http://127.0.0.1:{port}/v1#m",
            "--test", test, "--task", "sentiment", "--language", "en", "--no-plots", "--output", Path.Combine(directory, "out"));

        Assert.Equal(1, code);
        Assert.Contains($"is the server running at http://127.0.0.1:{port}/v1?", stderr);
        // 3 attempts, not the 7 of a busy server; their waits (250 and 500 ms) are checked on a fake clock:
        // FaultToleranceTests.A_refused_connection_is_retried_after_250_and_500_ms_on_the_clock_then_reported_unreachable.
        Assert.Contains("gave up after 3 attempts", stderr);
    }
}
