using LowResGen.Cli.Commands;
using LowResGen.Evaluation;

namespace LowResGen.Tests.LlmClassification;

/// <summary>classify against a local OpenAI-compatible server (127.0.0.1), through the same --model and middleware a user gets.</summary>
public sealed class ServedClassificationTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-served-classify-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string TestFile()
    {
        var path = Path.Combine(directory, "test.csv");
        File.WriteAllLines(path, ["text,label", "great film,positive", "boring and long,negative", "what a day,positive"]);
        return path;
    }

    [Fact]
    public async Task Json_schema_answers_are_read_and_a_rerun_is_served_from_the_cache()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = r => r.LastUserMessage.Contains("boring", StringComparison.Ordinal) ? "{\"label\":\"negative\"}" : "{\"label\":\"positive\"}";
        string[] args = ["classify", "--model", server.BaseUrl + "#test-model", "--test", TestFile(), "--task", "sentiment", "--language", "en",
            "--constrained", "json-schema", "--llm-cache", Path.Combine(directory, "cache.db"), "--no-plots", "--output", Path.Combine(directory, "out")];

        var (code, stdout, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), args);
        var (again, _, _) = await CliTestHost.RunAsync(ClassifyCommand.Create(), args);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, again);
        Assert.Equal(3, server.RequestCount);
        Assert.Contains("llm-zero-shot: macro-F1 100.0 ± 0.0, accuracy 100.0 ± 0.0, unmappable 0/3", stdout);
        var schema = server.Requests.First().Body["response_format"]!["json_schema"]!["schema"]!;
        Assert.Equal(["negative", "positive"], schema["properties"]!["label"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Free_text_answers_are_mapped_and_the_unmappable_one_is_reported()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = r => r.LastUserMessage.Contains("day", StringComparison.Ordinal) ? "Sorry, I cannot say."
            : r.LastUserMessage.Contains("boring", StringComparison.Ordinal) ? "The sentiment is Negative." : "POSITIVE";
        var output = Path.Combine(directory, "free");

        var (code, stdout, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), "classify", "--model", server.BaseUrl + "#test-model",
            "--test", TestFile(), "--task", "sentiment", "--language", "en", "--constrained", "off", "--no-plots", "--output", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("unmappable 1/3", stdout);
        Assert.All(server.Requests, r => Assert.Null(r.Body["guided_choice"]));
        var row = Assert.Single(await ResultsFile.ReadAsync(Path.Combine(output, ResultsFile.FileName), CancellationToken.None));
        Assert.Equal(2 / 3.0, row.Accuracy, 9);
        Assert.Contains("Sorry, I cannot say.", await File.ReadAllTextAsync(Path.Combine(output, "llm-summary.json")));
    }

    [Fact]
    public async Task A_task_of_ones_own_takes_its_labels_from_the_test_file()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = r => r.LastUserMessage.Contains("rain", StringComparison.Ordinal) ? "Sad." : "I'd say happy";
        var test = Path.Combine(directory, "mood.csv");
        File.WriteAllLines(test, ["text,label", "sunshine all day,happy", "rain again,sad", "rain and wind,happy"]);
        var output = Path.Combine(directory, "mood");

        var (code, stdout, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), "classify", "--model", server.BaseUrl + "#test-model",
            "--test", test, "--task", "mood", "--language", "en", "--no-plots", "--output", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("unmappable 0/3", stdout);
        Assert.Equal(["happy", "sad"], server.Requests.First().Body["guided_choice"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("- sad", server.Requests.First().Messages[0].Content);
        Assert.Equal(2 / 3.0, Assert.Single(await ResultsFile.ReadAsync(Path.Combine(output, ResultsFile.FileName), CancellationToken.None)).Accuracy, 9);
    }
}
