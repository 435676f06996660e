using LowResGen.Cli.Commands;
using LowResGen.Evaluation;
using LowResGen.LlmClassification;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.LlmClassification;

/// <summary>The classify command end to end on the tiny GGUF, loaded through --model as a user would.</summary>
public sealed class ClassifyCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-classify-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string WriteCsv(string name, params string[] rows)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllLines(path, ["text,label", .. rows]);
        return path;
    }

    [Fact]
    public async Task K_shot_classification_of_a_test_file_writes_the_usual_results()
    {
        var modelPath = Path.Combine(directory, "tiny.gguf");
        TinyGgufWriter.Write(modelPath);
        var test = WriteCsv("test.csv", "great film,positive", "boring and long,negative", "loved it,positive");
        var demos = WriteCsv("demos.csv", "superb,positive", "awful,negative", "nice,positive", "dull,negative");
        var output = Path.Combine(directory, "out");

        var (code, stdout, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), "classify", "--model", modelPath,
            "--test", test, "--task", "sentiment", "--language", "en", "--mode", "k-shot", "--k", "1", "--demonstrations", demos,
            "--demonstrations-name", "generated", "--repeats", "2", "--no-descriptions", "--output", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("llm-1-shot-generated: macro-F1", stdout);
        Assert.Contains("unmappable 0/6", stdout);
        var results = await ResultsFile.ReadAsync(Path.Combine(output, ResultsFile.FileName), CancellationToken.None);
        Assert.Equal([0, 1], results.Select(r => r.Seed));
        var predictions = await PredictionsFile.ReadAsync(Path.Combine(output, "predictions.csv"), CancellationToken.None);
        Assert.Equal(6, predictions.Count);
        Assert.All(predictions, p => Assert.Contains(p.Predicted, LowResGen.Data.BuiltInTasks.Sentiment.Labels));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(output, "confusion"), "*.png").Length);
    }

    [Fact]
    public async Task Log_probability_classification_prints_its_scoring_calls_and_a_rerun_replays_them()
    {
        var modelPath = Path.Combine(directory, "tiny.gguf");
        TinyGgufWriter.Write(modelPath);
        var test = WriteCsv("test.csv", "great film,positive", "boring and long,negative", "loved it,positive");
        var cache = Path.Combine(directory, "cache.sqlite");
        string[] Args(string output) => ["classify", "--model", modelPath, "--test", test, "--task", "sentiment", "--language", "en",
            "--scoring", "logprob", "--no-descriptions", "--no-plots", "--llm-cache", cache, "--output", Path.Combine(directory, output)];

        // A second output folder (the first would resume, with nothing left to do) on the same response cache.
        var (code, first, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), Args("first"));
        Assert.True(code == 0, stderr);
        (code, var second, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), Args("second"));
        Assert.True(code == 0, stderr);

        Assert.Contains("LLM tiny: 3 requests, 3 answered, 0 cached, 0 failed", first);
        Assert.Contains("LLM tiny: 3 requests, 0 answered, 3 cached, 0 failed", second);
        var predictions = await Task.WhenAll(new[] { "first", "second" }.Select(o => PredictionsFile.ReadAsync(Path.Combine(directory, o, "predictions.csv"), CancellationToken.None)));
        Assert.Equal(3, predictions[0].Count);
        Assert.Equal(predictions[0].Select(p => (p.Predicted, p.Text)), predictions[1].Select(p => (p.Predicted, p.Text)));
    }

    [Fact]
    public async Task K_shot_without_demonstrations_fails_clearly_and_writes_nothing()
    {
        var test = WriteCsv("test.csv", "great film,positive");
        var output = Path.Combine(directory, "out");

        var (code, _, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), "classify", "--model", "http://127.0.0.1:9/v1#m",
            "--test", test, "--task", "sentiment", "--language", "en", "--mode", "k-shot", "--output", output);

        Assert.Equal(1, code);
        Assert.Contains("--demonstrations", stderr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Compare_prints_one_table_for_teacher_and_students()
    {
        var modelPath = Path.Combine(directory, "tiny.gguf");
        TinyGgufWriter.Write(modelPath);
        var gold = WriteCsv("gold.csv", "superb,positive", "awful,negative", "nice,positive", "dull,negative", "good,positive");
        var generated = WriteCsv("generated.csv", "brilliant,positive", "terrible,negative", "lovely,positive", "bad,negative");
        var test = WriteCsv("test.csv", "great film,positive", "boring and long,negative", "loved it,positive");
        var output = Path.Combine(directory, "compare");
        var trainers = ClassifierTrainerRegistry.BuiltIn().With(ClassifierTrainerRegistry.DefaultName, () => new MajorityTrainer());

        var (code, stdout, stderr) = await CliTestHost.RunAsync(CompareCommand.Create(trainers), "compare", "--model", modelPath,
            "--task", "sentiment", "--language", "en", "--train", gold, "--generated", generated, "--test", test,
            "--seeds", "1", "--k", "1", "--no-descriptions", "--no-plots", "--output", output);

        Assert.True(code == 0, stderr);
        foreach (var setting in new[] { "llm-zero-shot", "llm-1-shot-gold", "llm-1-shot-generated", "classifier-gold", "classifier-generated" })
        {
            Assert.Contains($"| {setting} |", stdout);
        }

        Assert.Contains("classifiers trained on 2 examples per class", stdout);
        Assert.Contains("LLM tiny: 9 requests, 9 answered, 0 cached, 0 failed", stdout); // 3 settings x 3 texts
        Assert.Equal(stdout[stdout.IndexOf("## ", StringComparison.Ordinal)..stdout.IndexOf("Written to", StringComparison.Ordinal)],
            await File.ReadAllTextAsync(Path.Combine(output, "comparison.md")));
    }
}
