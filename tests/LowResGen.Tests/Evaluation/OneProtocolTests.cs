using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.LlmClassification;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Evaluation;

/// <summary>Every student — n-gram, encoder, fusion, the LLM zero- and k-shot — through the one evaluation protocol.</summary>
public sealed class OneProtocolTests : IDisposable
{
    private static readonly TaskDefinition Topics = new("topics", EvaluationData.Labels);
    private readonly string _directory = EvaluationData.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IReadOnlyList<Example> Test => EvaluationData.Make("test", 6, offset: 100);

    private static EvaluationOptions Options => new() { Seeds = 3, PerClass = 4, MaxParallelism = 2, WritePlots = false };

    /// <summary>Answers by keyword; a text with "dinner" gets a refusal: an unmappable answer.</summary>
    private static ScriptedChatClient KeywordModel() => new((messages, _) => Answer(messages[^1].Text));

    private static string Answer(string text) =>
        text.Contains("dinner", StringComparison.Ordinal) ? "I cannot tell."
        : text.Contains("song", StringComparison.Ordinal) || text.Contains("album", StringComparison.Ordinal) ? "music"
        : text.Contains("rain", StringComparison.Ordinal) || text.Contains("sun", StringComparison.Ordinal) ? "weather"
        : "food";

    private static IReadOnlyList<EvaluationSetting> Students(IEmbeddingGenerator<string, Embedding<float>> encoder, Counter? counter = null)
    {
        var gold = EvaluationData.Make("train", 8);
        var llm = new LlmClassifier(KeywordModel(), Topics, new LlmClassifierOptions { Constrained = ConstrainedOutput.Off });
        EvaluationSetting Make(string name, IReadOnlyList<Example> train, IClassifierTrainer trainer) =>
            new(name, train) { Trainer = counter is null ? trainer : new CountingTrainer(trainer, name, counter) };
        return
        [
            Make("gold", gold, new LinearTextClassifierTrainer()),
            Make("generated", EvaluationData.Make("generated", 8, noise: 0.34), new LinearTextClassifierTrainer()),
            Make("gold-encoder", gold, new EncoderClassifierTrainer(encoder, "fake")),
            Make("gold-fusion", gold, new FusionClassifierTrainer(encoder, "fake")),
            Make("llm-zero-shot", [], new LlmClassifierTrainer(llm, 0)),
            Make("llm-1-shot-gold", gold, new LlmClassifierTrainer(llm, 1)),
        ];
    }

    [Fact]
    public async Task Every_student_is_scored_on_the_same_test_items_with_one_summary()
    {
        var output = Path.Combine(_directory, "all");
        var summary = await new EvaluationRunner(new LinearTextClassifierTrainer(), Options)
            .RunAsync(Topics, Students(new FakeEncoder()), Test, output, null, CancellationToken.None);

        Assert.Equal(
            ["gold,0", "gold,1", "gold,2", "generated,0", "generated,1", "generated,2", "gold-encoder,0", "gold-encoder,1", "gold-encoder,2",
             "gold-fusion,0", "gold-fusion,1", "gold-fusion,2", "llm-zero-shot,0", "llm-1-shot-gold,0", "llm-1-shot-gold,1", "llm-1-shot-gold,2"],
            summary.Rows.Select(r => $"{r.Setting},{r.Seed}"));
        var predictions = await PredictionsFile.ReadAsync(Path.Combine(output, "predictions.csv"), CancellationToken.None);
        Assert.All(predictions.GroupBy(p => (p.Setting, p.Seed)), g => Assert.Equal(Test.Select(e => e.Id), g.Select(p => p.Id)));

        // The LLM's refusals (texts with "dinner") are predictions of no label: wrong, and counted.
        var refusals = Test.Count(e => e.Text.Contains("dinner", StringComparison.Ordinal));
        Assert.True(refusals > 0);
        Assert.Equal(refusals, summary["llm-zero-shot"].Unmapped);
        Assert.Equal(3 * refusals, summary["llm-1-shot-gold"].Unmapped);
        Assert.Equal(0, summary["gold-encoder"].Unmapped);
        Assert.Equal(Test.Count(e => Answer(e.Text) == e.Label) / (double)Test.Count, summary["llm-zero-shot"].Accuracy.Mean, 9);
        Assert.All(predictions.Where(p => p.Setting.StartsWith("llm", StringComparison.Ordinal) && p.Predicted == Prediction.NoLabel),
            p => Assert.Equal("I cannot tell.", p.Answer));

        // Same student: paired by seed. Another student: Welch, and the summary says which.
        Assert.True(summary["generated"].F1VersusReference!.Paired);
        Assert.False(summary["gold-encoder"].F1VersusReference!.Paired);
        Assert.Equal("Welch t", summary["llm-1-shot-gold"].AccuracyVersusReference!.TestName);
        Assert.InRange(summary["gold-encoder"].Accuracy.Mean, 0.8, 1.0);
        Assert.Equal("encoder:fake(logreg,C=1)", summary["gold-encoder"].Trainer);
    }

    [Fact]
    public async Task A_killed_run_resumes_one_way_for_every_student_and_ends_as_an_uninterrupted_one()
    {
        var fresh = Path.Combine(_directory, "fresh");
        await new EvaluationRunner(new LinearTextClassifierTrainer(), Options)
            .RunAsync(Topics, Students(new FakeEncoder()), Test, fresh, null, CancellationToken.None);

        // A kill leaves partial seeds: rows missing from results.csv, and a predictions file cut mid-way.
        var killed = Path.Combine(_directory, "killed");
        await new EvaluationRunner(new LinearTextClassifierTrainer(), Options)
            .RunAsync(Topics, Students(new FakeEncoder()), Test, killed, null, CancellationToken.None);
        var results = Path.Combine(killed, ResultsFile.FileName);
        var lines = await File.ReadAllLinesAsync(results);
        string[] lost = ["generated,1,", "gold-fusion,2,", "llm-zero-shot,0,", "llm-1-shot-gold,1,"];
        var kept = lines.Where(l => !lost.Any(prefix => l.StartsWith(prefix, StringComparison.Ordinal))).ToArray();
        Assert.Equal(lines.Length - lost.Length, kept.Length);
        await File.WriteAllLinesAsync(results, kept);
        var cut = new EvaluationOutputs(killed).SeedPredictions("gold-encoder", 1);
        var text = await File.ReadAllTextAsync(cut);
        await File.WriteAllTextAsync(cut, text[..(text.Length / 2)]);

        var counter = new Counter();
        var reported = new List<EvaluationProgress>();
        await new EvaluationRunner(new LinearTextClassifierTrainer(), Options).RunAsync(Topics, Students(new FakeEncoder(), counter), Test, killed,
            new LowResGen.Tests.Data.SynchronousProgress<EvaluationProgress>(reported.Add), CancellationToken.None);

        // Redone: the seeds whose rows were lost, and the one whose predictions file was cut; nothing else.
        Assert.Equal(["generated/1", "gold-encoder/1", "gold-fusion/2", "llm-1-shot-gold/1", "llm-zero-shot/0"], counter.Trained.Order());
        Assert.Equal(16 - 5, reported.Count(p => p.Resumed));
        foreach (var file in new[] { ResultsFile.FileName, "predictions.csv" })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(fresh, file)), await File.ReadAllTextAsync(Path.Combine(killed, file)));
        }
    }

    [Fact]
    public async Task The_embedding_cache_changes_no_result_and_embeds_each_text_once()
    {
        var plain = Path.Combine(_directory, "plain");
        var cached = Path.Combine(_directory, "cached");
        var settings = (IEmbeddingGenerator<string, Embedding<float>> encoder) => Students(encoder).Where(s => s.Name is "gold-encoder" or "gold-fusion").ToArray();
        // One run at a time: two concurrent misses of one text would both reach the encoder.
        var serial = Options with { MaxParallelism = 1 };
        var uncachedEncoder = new FakeEncoder();
        await new EvaluationRunner(new LinearTextClassifierTrainer(), serial).RunAsync(Topics, settings(uncachedEncoder), Test, plain, null, CancellationToken.None);

        var inner = new FakeEncoder();
        using var cache = new DistributedCachingEmbeddingGenerator<string, Embedding<float>>(inner, new MemoryCache());
        await new EvaluationRunner(new LinearTextClassifierTrainer(), serial).RunAsync(Topics, settings(cache), Test, cached, null, CancellationToken.None);

        foreach (var file in new[] { ResultsFile.FileName, "predictions.csv" })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(plain, file)), await File.ReadAllTextAsync(Path.Combine(cached, file)));
        }

        var distinct = EvaluationData.Make("train", 8).Concat(Test).Select(e => e.Text).Distinct().Count();
        Assert.Equal(distinct, inner.TextsEmbedded);
        Assert.True(uncachedEncoder.TextsEmbedded > 3 * distinct);
    }

    /// <summary>Records every training as "setting/seed".</summary>
    internal sealed class Counter
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _trained = new();

        public IEnumerable<string> Trained => _trained;

        public void Add(string entry) => _trained.Enqueue(entry);
    }

    private sealed class CountingTrainer(IClassifierTrainer inner, string setting, Counter counter) : IClassifierTrainer
    {
        public string Name => inner.Name;

        public bool UsesSeed => inner.UsesSeed;

        public bool NeedsTrainingData => inner.NeedsTrainingData;

        public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
        {
            counter.Add($"{setting}/{seed}");
            return inner.TrainAsync(examples, seed, cancellationToken);
        }
    }
}
