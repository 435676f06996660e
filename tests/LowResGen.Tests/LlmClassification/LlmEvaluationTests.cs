using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.LlmClassification;

namespace LowResGen.Tests.LlmClassification;

public sealed class LlmEvaluationTests : IDisposable
{
    [Theory]
    [InlineData("llm-zero-shot", true, 0, null)]
    [InlineData("llm-5-shot-gold", true, 5, "gold")]
    [InlineData("llm-3-shot-generated", true, 3, "generated")]
    [InlineData("llm-0-shot-gold", false, 0, null)]
    [InlineData("llm-x-shot-gold", false, 0, null)]
    [InlineData("5-shot-gold", false, 0, null)]
    [InlineData("llm-5-shot-", false, 0, null)]
    public void Setting_names_read_back_as_written(string name, bool valid, int k, string? pool)
    {
        Assert.Equal(valid, LlmSetting.TryParseName(name, out var parsedK, out var parsedPool));
        Assert.Equal((k, pool), (parsedK, parsedPool));
        if (pool is not null)
        {
            Assert.Equal(name, LlmSetting.KShot(k, pool, []).Name);
        }
    }

    private static readonly TaskDefinition Sentiment = BuiltInTasks.Sentiment;
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-llmeval-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static IReadOnlyList<Example> TestSet() =>
    [
        new("t1", "good great fine", "positive", "en", Splits.Test, "t"),
        new("t2", "bad awful poor", "negative", "en", Splits.Test, "t"),
        new("t3", "great good", "positive", "en", Splits.Test, "t"),
        new("t4", "awful bad", "negative", "en", Splits.Test, "t"),
    ];

    /// <summary>Answers by keyword, and refuses ("cannot tell") a text containing "great": one unmappable answer per run.</summary>
    private static ScriptedChatClient KeywordModel() => new((messages, _) =>
    {
        var text = messages[^1].Text;
        return text.Contains("great", StringComparison.Ordinal) && text.Contains("fine", StringComparison.Ordinal) ? "I cannot tell."
            : text.Contains("good", StringComparison.Ordinal) ? "Positive." : "It is negative";
    });

    [Fact]
    public async Task Unmappable_answers_count_as_wrong_and_are_reported_separately()
    {
        var classifier = new LlmClassifier(KeywordModel(), Sentiment, new LlmClassifierOptions { Constrained = ConstrainedOutput.Off });
        var output = Path.Combine(directory, "run");
        var pool = LlmClassifierTests.Pool(Sentiment, 4);

        var summary = await new LlmEvaluationRunner(classifier, writePlots: false).RunAsync(
            [LlmSetting.ZeroShot, LlmSetting.KShot(2, "gold", pool)], TestSet(), [0, 1], output, null, CancellationToken.None);

        Assert.Equal(["llm-zero-shot,0", "llm-2-shot-gold,0", "llm-2-shot-gold,1"], summary.Rows.Select(r => $"{r.Setting},{r.Seed}"));
        Assert.All(summary.Rows, r => Assert.Equal(0.75, r.Accuracy, 9));
        Assert.Equal(1, summary.Settings[0].Unmappable);
        Assert.Equal(2, summary.Settings[1].Unmappable);
        Assert.All(summary.UnmappableAnswers, u => Assert.Equal(("t1", "I cannot tell."), (u.Id, u.Answer)));

        var results = await ResultsFile.ReadAsync(Path.Combine(output, ResultsFile.FileName), CancellationToken.None);
        Assert.Equal(summary.Rows, results);
        var predictions = await PredictionsFile.ReadAsync(Path.Combine(output, "predictions.csv"), CancellationToken.None);
        Assert.Equal(12, predictions.Count);
        Assert.Equal(3, predictions.Count(p => p.Predicted == LlmEvaluationRunner.UnmappableLabel));
        Assert.Contains("\"unmappable\": 1", await File.ReadAllTextAsync(Path.Combine(output, LlmEvaluationRunner.SummaryFileName)));
    }

    [Fact]
    public async Task Settings_run_one_by_one_into_one_directory_make_one_results_file()
    {
        var classifier = new LlmClassifier(KeywordModel(), Sentiment, new LlmClassifierOptions { Constrained = ConstrainedOutput.Off });
        var runner = new LlmEvaluationRunner(classifier, writePlots: false);
        var output = Path.Combine(directory, "one-by-one");
        var pool = LlmClassifierTests.Pool(Sentiment, 4);

        await runner.RunAsync([LlmSetting.ZeroShot], TestSet(), [0], output, null, CancellationToken.None);
        await runner.RunAsync([LlmSetting.KShot(1, "gold", pool)], TestSet(), [0, 1], output, null, CancellationToken.None);
        await runner.RunAsync([LlmSetting.KShot(1, "gold", pool)], TestSet(), [0], output, null, CancellationToken.None);

        var results = await ResultsFile.ReadAsync(Path.Combine(output, ResultsFile.FileName), CancellationToken.None);
        Assert.Equal(["llm-zero-shot,0", "llm-1-shot-gold,0"], results.Select(r => $"{r.Setting},{r.Seed}"));
        var predictions = await PredictionsFile.ReadAsync(Path.Combine(output, "predictions.csv"), CancellationToken.None);
        Assert.Equal(8, predictions.Count);
    }

    [Fact]
    public async Task Every_answered_text_is_reported_with_its_run()
    {
        var classifier = new LlmClassifier(KeywordModel(), Sentiment);
        var reports = new System.Collections.Concurrent.ConcurrentBag<LlmRunProgress>();
        var runner = new LlmEvaluationRunner(classifier, writePlots: false, new DirectProgress(reports.Add));

        await runner.RunAsync([LlmSetting.KShot(1, "gold", LlmClassifierTests.Pool(Sentiment, 2))], TestSet(), [0, 1],
            Path.Combine(directory, "progress"), null, CancellationToken.None);

        Assert.Equal(8, reports.Count);
        Assert.Equal([1, 2, 3, 4], reports.Where(r => r.Seed == 1).Select(r => r.Classified).Order());
        Assert.All(reports, r => Assert.Equal(("llm-1-shot-gold", 4), (r.Setting, r.Total)));
    }

    private sealed class DirectProgress(Action<LlmRunProgress> report) : IProgress<LlmRunProgress>
    {
        public void Report(LlmRunProgress value) => report(value);
    }

    [Fact]
    public void Macro_f1_averages_over_the_task_labels_only()
    {
        var metrics = LlmEvaluationRunner.Metrics(Sentiment,
            [("positive", "positive"), ("negative", "negative"), ("negative", LlmEvaluationRunner.UnmappableLabel)]);

        Assert.Equal(2 / 3.0, metrics.Accuracy, 9);
        Assert.Equal((1 + 2 / 3.0) / 2, metrics.MacroF1, 9);
        Assert.Equal(1, metrics.Confusion["negative", LlmEvaluationRunner.UnmappableLabel]);
    }

    [Fact]
    public async Task Comparison_puts_teacher_and_students_in_one_table_with_the_gap_to_the_best()
    {
        var classifier = new LlmClassifier(KeywordModel(), Sentiment, new LlmClassifierOptions { Constrained = ConstrainedOutput.Off });
        var gold = LlmClassifierTests.Pool(Sentiment, 6);
        var generated = LlmClassifierTests.Pool(Sentiment, 4);
        var output = Path.Combine(directory, "compare");

        var table = await new TeacherStudentComparison(classifier, new MajorityTrainer(), new ComparisonOptions { K = 2, Seeds = 2, PerClass = 100, WritePlots = false })
            .RunAsync("en", "scripted", gold, generated, TestSet(), output, null, CancellationToken.None);

        Assert.Equal(["llm-zero-shot", "llm-2-shot-gold", "llm-2-shot-generated", TeacherStudentComparison.ClassifierGold, TeacherStudentComparison.ClassifierGenerated],
            table.Rows.Select(r => r.Setting));
        Assert.Equal(4, table.PerClass);
        Assert.StartsWith("llm-", table.Best.Setting);
        Assert.Equal(0.75, table.Best.Accuracy.Mean, 9);
        Assert.All(table.Rows, r => Assert.Equal(r.F1.Mean - table.Best.F1.Mean, r.GapToBest, 9));
        Assert.Equal(0.5, table.Rows[3].Accuracy.Mean, 9);
        Assert.Contains("| llm-2-shot-generated |", table.ToMarkdown());
        var results = await ResultsFile.ReadAsync(Path.Combine(output, ResultsFile.FileName), CancellationToken.None);
        Assert.Equal(1 + 2 + 2 + 2 + 2, results.Count);
        Assert.True(File.Exists(Path.Combine(output, "comparison.md")));
    }

    [Fact]
    public void Same_size_is_the_largest_per_class_count_both_sets_can_fill()
    {
        var gold = LlmClassifierTests.Pool(Sentiment, 6).Where(e => e.Id != "negative-5").ToArray();
        Assert.Equal(5, TeacherStudentComparison.SameSizePerClass(Sentiment, gold, LlmClassifierTests.Pool(Sentiment, 9), 100));
        Assert.Equal(3, TeacherStudentComparison.SameSizePerClass(Sentiment, gold, LlmClassifierTests.Pool(Sentiment, 9), 3));
    }
}
