using LowResGen.Cli.Commands;
using LowResGen.Tests.LlmClassification;

namespace LowResGen.Tests.Cli;

/// <summary>What every LLM command does without being told: cache its answers, and keep a server's batch full.</summary>
public sealed class LlmCommandDefaultsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-llm-defaults-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Csv(string name, params string[] rows)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllLines(path, ["text,label", .. rows]);
        return path;
    }

    private static string Sentiment(FakeRequest request) =>
        request.LastUserMessage.Contains("boring", StringComparison.Ordinal) || request.LastUserMessage.Contains("awful", StringComparison.Ordinal)
            ? "negative" : "positive";

    [Fact]
    public async Task Classify_rerun_without_cache_options_sends_no_request()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = Sentiment;
        string[] args = ["classify", "--model", server.BaseUrl + "#m", "--test", Csv("test.csv", "great film,positive", "boring,negative"),
            "--task", "sentiment", "--language", "en", "--mode", "k-shot", "--k", "1", "--repeats", "2",
            "--demonstrations", Csv("demos.csv", "superb,positive", "awful,negative"), "--no-plots", "--output", Path.Combine(directory, "out")];

        var (code, _, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), args);
        var first = server.RequestCount;
        var (again, stdout, _) = await CliTestHost.RunAsync(ClassifyCommand.Create(), args);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, again);
        Assert.Equal(4, first);
        Assert.Equal(first, server.RequestCount);
        Assert.Contains("llm-1-shot-gold: macro-F1 100.0", stdout);
        Assert.True(File.Exists(Path.Combine(directory, "out", LowResGen.Llm.LlmClientOptions.DefaultCacheFileName)));
    }

    [Fact]
    public async Task Compare_rerun_without_cache_options_sends_no_request()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = Sentiment;
        var trainers = LowResGen.Evaluation.ClassifierTrainerRegistry.BuiltIn()
            .With(LowResGen.Evaluation.ClassifierTrainerRegistry.DefaultName, () => new MajorityTrainer());
        string[] args = ["compare", "--model", server.BaseUrl + "#m", "--task", "sentiment", "--language", "en",
            "--train", Csv("gold.csv", "superb,positive", "awful,negative"), "--generated", Csv("generated.csv", "lovely,positive", "bad,negative"),
            "--test", Csv("test.csv", "great film,positive", "boring,negative"), "--seeds", "1", "--k", "1", "--no-plots",
            "--output", Path.Combine(directory, "compare")];

        var (code, _, stderr) = await CliTestHost.RunAsync(CompareCommand.Create(trainers), args);
        var first = server.RequestCount;
        var (again, _, _) = await CliTestHost.RunAsync(CompareCommand.Create(trainers), args);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, again);
        Assert.True(first > 0);
        Assert.Equal(first, server.RequestCount);
    }

    [Fact]
    public async Task Generate_keeps_more_than_eight_requests_in_flight_by_default()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseDelay = TimeSpan.FromMilliseconds(300);
        server.Responder = r => string.Join('\n', Enumerable.Range(0, 12).Select(i => $"Testun rhif {r.Number} eitem {i} am y dosbarth hwn"));

        var (code, _, stderr) = await CliTestHost.RunAsync(GenerateCommand.Create(), "generate", "--model", server.BaseUrl + "#m",
            "--task", "intent", "--language", "cy", "--strategy", "human-desc", "--per-class", "30", "--no-language-check",
            "--output", Path.Combine(directory, "gen"));

        Assert.True(code == 0, stderr);
        Assert.Equal(30, server.RequestCount); // 10 labels x 3 batches of 10
        Assert.True(server.MaxInFlight > 8, $"at most {server.MaxInFlight} requests were in flight");
    }

    [Fact]
    public async Task Generate_follows_the_endpoints_in_flight_limit()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseDelay = TimeSpan.FromMilliseconds(100);
        server.Responder = r => string.Join('\n', Enumerable.Range(0, 12).Select(i => $"Testun rhif {r.Number} eitem {i} am y dosbarth hwn"));

        var (code, _, stderr) = await CliTestHost.RunAsync(GenerateCommand.Create(), "generate", "--model", server.BaseUrl + "#m",
            "--task", "intent", "--language", "cy", "--strategy", "human-desc", "--per-class", "30", "--no-language-check",
            "--max-in-flight", "3", "--output", Path.Combine(directory, "gen"));

        Assert.True(code == 0, stderr);
        Assert.InRange(server.MaxInFlight, 1, 3);
    }
}
