using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Evaluation.Metrics;
using LowResGen.Reporting;

namespace LowResGen.LlmClassification;

/// <summary>One way of prompting: zero-shot, or k demonstrations per label drawn from a named pool (gold, generated...).</summary>
public sealed record LlmSetting(string Name, int K, IReadOnlyList<Example> Pool)
{
    public static LlmSetting ZeroShot { get; } = new("llm-zero-shot", 0, []);

    /// <summary>Demonstrations per label of a k-shot setting when the caller does not say.</summary>
    public const int DefaultK = 5;

    /// <summary>k-shot repeats (seeds 0..N-1, each drawing its own demonstrations) when the caller does not say.</summary>
    public const int DefaultRepeats = 3;

    /// <summary>The demonstration pool's name in setting names when the caller does not say: gold training data.</summary>
    public const string DefaultPoolName = "gold";

    /// <summary>Named <c>llm-{k}-shot-{poolName}</c>, e.g. llm-5-shot-gold.</summary>
    public static LlmSetting KShot(int k, string poolName, IReadOnlyList<Example> pool) => new($"llm-{k}-shot-{poolName}", k, pool);

    public bool IsZeroShot => K == 0;

    /// <summary>Appended to a study's LLM-classification setting (<c>zero-shot+logprob</c>, <c>5-shot-gold+logprob</c>):
    /// the labels are scored by log-probability instead of generating an answer.</summary>
    public const string LogProbabilitySuffix = "+logprob";

    /// <summary>A study setting's prompting part and how it scores: <c>5-shot-gold+logprob</c> → (<c>5-shot-gold</c>, log-probability).</summary>
    public static (string Prompting, LlmScoring Scoring) SplitScoring(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return setting.EndsWith(LogProbabilitySuffix, StringComparison.Ordinal)
            ? (setting[..^LogProbabilitySuffix.Length], LlmScoring.LogProbability)
            : (setting, LlmScoring.Generate);
    }

    /// <summary>
    /// Reads a setting name back: <c>llm-zero-shot</c> (k 0, no pool) or <c>llm-{k}-shot-{pool}</c> with k positive.
    /// The one parser of the names <see cref="ZeroShot"/> and <see cref="KShot"/> write.
    /// </summary>
    public static bool TryParseName(string name, out int k, out string? pool)
    {
        (k, pool) = (0, null);
        if (name == ZeroShot.Name)
        {
            return true;
        }

        var parts = name.Split('-', 4);
        if (parts.Length == 4 && parts[0] == "llm" && parts[2] == "shot" && parts[3].Length > 0
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var shots) && shots > 0)
        {
            (k, pool) = (shots, parts[3]);
            return true;
        }

        return false;
    }
}

/// <summary>How far one run is: <see cref="Classified"/> of <see cref="Total"/> texts answered.</summary>
public sealed record LlmRunProgress(string Setting, int Seed, int Classified, int Total);

/// <summary>An answer that named no label, kept for the report.</summary>
public sealed record UnmappableAnswer(string Setting, int Seed, string Id, string Answer);

/// <summary>One setting over its repeats: mean ± std of macro-F1 and accuracy, and its unmappable answers.</summary>
public sealed record LlmSettingSummary(string Name, int K, MeanStd F1, MeanStd Accuracy, int Unmappable, int Answers);

/// <summary>What an LLM classification run found; written as llm-summary.json next to results.csv.</summary>
public sealed record LlmEvaluationSummary(
    string Task,
    IReadOnlyList<string> Labels,
    int TestExamples,
    IReadOnlyList<LlmSettingSummary> Settings,
    IReadOnlyList<ResultRow> Rows,
    IReadOnlyList<UnmappableAnswer> UnmappableAnswers,
    string OutputDirectory);

/// <summary>
/// Evaluates an <see cref="LlmClassifier"/> on a gold test set through the one evaluation protocol
/// (<see cref="EvaluationRunner"/>, with an <see cref="LlmClassifierTrainer"/> per setting): results.csv
/// (setting,seed,f1,accuracy), per-run and combined predictions.csv (with the raw answers), a confusion-matrix PNG per
/// run, summary.json, and llm-summary.json with the unmappable answers. k-shot settings run once per seed (the seed draws
/// the demonstrations from the whole pool); zero-shot has nothing to draw and runs once, under the first seed.
/// An answer that names no label is predicted as <see cref="UnmappableLabel"/>: wrong, its own confusion column,
/// counted and listed, and not a class of the macro-F1. Resuming follows the protocol's one rule; the runs it redoes
/// replay their answers from the client's response cache.
/// </summary>
/// <param name="textProgress">Reported after every answered text (from several threads at once).</param>
public sealed class LlmEvaluationRunner(LlmClassifier classifier, bool writePlots = true, IProgress<LlmRunProgress>? textProgress = null)
{
    public const string UnmappableLabel = Prediction.NoLabel;

    public const string SummaryFileName = "llm-summary.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public async Task<LlmEvaluationSummary> RunAsync(
        IReadOnlyList<LlmSetting> settings,
        IReadOnlyList<Example> test,
        IReadOnlyList<int> seeds,
        string outputDirectory,
        IProgress<ResultRow>? progress,
        CancellationToken cancellationToken)
    {
        if (test.Count == 0 || seeds.Count == 0 || settings.Count == 0)
        {
            throw new ArgumentException("An LLM evaluation needs at least one test example, one seed and one setting.");
        }

        var task = classifier.Task;
        var protocol = new EvaluationRunner(new LlmClassifierTrainer(classifier, 0), new EvaluationOptions
        {
            SeedList = seeds,
            // The demonstrations are drawn from the whole pool, as DemonstrationSampler always did; no balancing first.
            PerClass = int.MaxValue,
            Normalization = TextNormalization.None,
            WritePlots = writePlots,
            // One run at a time; the classifier keeps its own requests in flight.
            MaxParallelism = 1,
            Reference = settings[0].Name,
        });
        var students = settings.Select(s => new EvaluationSetting(s.Name, s.Pool)
        {
            Trainer = new LlmClassifierTrainer(classifier, s.K, s.Name, textProgress),
        }).ToArray();
        var summary = await protocol.RunAsync(task, students, test, outputDirectory,
            progress is null ? null : new RowProgress(progress), cancellationToken).ConfigureAwait(false);

        var names = settings.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = new EvaluationOutputs(outputDirectory);
        var unmappable = (await PredictionsFile.ReadAsync(outputs.Predictions, cancellationToken).ConfigureAwait(false))
            .Where(p => names.Contains(p.Setting) && p.Predicted == UnmappableLabel)
            .Select(p => new UnmappableAnswer(p.Setting, p.Seed, p.Id, p.Answer ?? "")).ToArray();
        var result = new LlmEvaluationSummary(task.Name, task.Labels, test.Count,
            [.. settings.Select(s => summary[s.Name]).Select((s, i) => new LlmSettingSummary(s.Name, settings[i].K, s.F1, s.Accuracy, s.Unmapped, s.Predictions))],
            summary.Rows, unmappable, outputs.Directory);
        await AtomicFile.WriteAllTextAsync(Path.Combine(outputs.Directory, SummaryFileName), JsonSerializer.Serialize(result, Json), cancellationToken)
            .ConfigureAwait(false);
        return result;
    }

    /// <summary>Accuracy over all answers; macro-F1 over the task's labels (the protocol's one rule).</summary>
    public static ClassificationMetrics Metrics(TaskDefinition task, IEnumerable<(string Gold, string Predicted)> pairs) =>
        ClassificationMetrics.Compute(task.Labels, pairs, macroOverLabelOrderOnly: true);

    /// <summary>Passes each finished run on as its results row, on the reporting thread.</summary>
    internal sealed class RowProgress(IProgress<ResultRow> target) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => target.Report(value.Row);
    }
}
