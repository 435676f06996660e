using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Metrics;
using LowResGen.Reporting;

namespace LowResGen.LlmClassification;

/// <summary>One way of prompting: zero-shot, or k demonstrations per label drawn from a named pool (gold, generated...).</summary>
public sealed record LlmSetting(string Name, int K, IReadOnlyList<Example> Pool)
{
    public static LlmSetting ZeroShot { get; } = new("llm-zero-shot", 0, []);

    /// <summary>Named <c>llm-{k}-shot-{poolName}</c>, e.g. llm-5-shot-gold.</summary>
    public static LlmSetting KShot(int k, string poolName, IReadOnlyList<Example> pool) => new($"llm-{k}-shot-{poolName}", k, pool);

    public bool IsZeroShot => K == 0;

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
/// Evaluates an <see cref="LlmClassifier"/> on a gold test set exactly as the classifier evaluation does: results.csv
/// (setting,seed,f1,accuracy), per-run and combined predictions.csv, a confusion-matrix PNG per run. k-shot settings run once
/// per seed (the seed draws the demonstrations); zero-shot has nothing to draw and runs once, under the first seed.
/// An answer that names no label is predicted as <see cref="UnmappableLabel"/>: wrong, shown as its own confusion column,
/// counted and listed separately, and not a class of the macro-F1 (which averages over the task's labels).
/// results.csv is rewritten after every run, keeping the rows of other settings run into the same directory; a rerun
/// replays the answers from the client's response cache.
/// </summary>
/// <param name="textProgress">Reported after every answered text (from several threads at once).</param>
public sealed class LlmEvaluationRunner(LlmClassifier classifier, bool writePlots = true, IProgress<LlmRunProgress>? textProgress = null)
{
    public const string UnmappableLabel = "(unmappable)";

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
        var outputs = new EvaluationOutputs(outputDirectory);
        Directory.CreateDirectory(outputs.Directory);
        var texts = test.Select(e => e.Text).ToArray();

        // Other settings run earlier into the same directory stay in results.csv and predictions.csv, so zero-shot,
        // k-shot gold and k-shot generated can be run one by one and still make one table.
        var names = settings.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var earlierRows = (await ResultsFile.ReadIfExistsAsync(outputs.Results, cancellationToken).ConfigureAwait(false))
            .Where(r => !names.Contains(r.Setting)).ToArray();
        var earlierPredictions = File.Exists(outputs.Predictions)
            ? (await PredictionsFile.ReadAsync(outputs.Predictions, cancellationToken).ConfigureAwait(false)).Where(p => !names.Contains(p.Setting)).ToArray()
            : [];
        var rows = new List<ResultRow>();
        var unmappable = new List<UnmappableAnswer>();
        var summaries = new List<LlmSettingSummary>();
        var allPredictions = new List<PredictionRow>(earlierPredictions);
        foreach (var setting in settings)
        {
            var settingRows = new List<ResultRow>();
            var settingUnmappable = 0;
            foreach (var seed in setting.IsZeroShot ? seeds.Take(1) : seeds)
            {
                var demonstrations = setting.IsZeroShot ? [] : DemonstrationSampler.Sample(setting.Pool, task, setting.K, seed);
                var perText = textProgress is null ? null : new TextProgress(textProgress, setting.Name, seed, texts.Length);
                var predictions = await classifier.ClassifyAsync(texts, demonstrations, perText, cancellationToken).ConfigureAwait(false);
                var rowsOut = test.Select((e, i) => new PredictionRow(setting.Name, seed, e.Id, e.Text, e.Label,
                    predictions[i].Label ?? UnmappableLabel,
                    predictions[i].Label is { } label && predictions[i].Scores.TryGetValue(label, out var score) ? score : 0)).ToArray();
                var metrics = Metrics(task, rowsOut.Select(r => (r.Gold, r.Predicted)));
                var row = new ResultRow(setting.Name, seed, metrics.MacroF1, metrics.Accuracy);
                settingRows.Add(row);
                rows.Add(row);
                var missed = test.Select((e, i) => (e, p: predictions[i])).Where(x => !x.p.IsMapped)
                    .Select(x => new UnmappableAnswer(setting.Name, seed, x.e.Id, x.p.Answer)).ToArray();
                settingUnmappable += missed.Length;
                unmappable.AddRange(missed);

                var predictionsPath = outputs.SeedPredictions(setting.Name, seed);
                await PredictionsFile.WriteAsync(predictionsPath, rowsOut, cancellationToken).ConfigureAwait(false);
                allPredictions.AddRange(rowsOut);
                if (writePlots)
                {
                    await ConfusionMatrixPlot.WriteAsync(metrics.Confusion,
                        $"{setting.Name}, seed {seed}: macro-F1 {metrics.MacroF1:F3}, accuracy {metrics.Accuracy:F3}",
                        outputs.NewConfusionPlot(setting.Name, seed), cancellationToken).ConfigureAwait(false);
                }

                await ResultsFile.WriteAsync(outputs.Results, [.. earlierRows, .. rows], cancellationToken).ConfigureAwait(false);
                progress?.Report(row);
            }

            summaries.Add(new LlmSettingSummary(setting.Name, setting.K,
                MeanStd.Of([.. settingRows.Select(r => r.F1)]), MeanStd.Of([.. settingRows.Select(r => r.Accuracy)]),
                settingUnmappable, settingRows.Count * test.Count));
        }

        await PredictionsFile.WriteAsync(outputs.Predictions, allPredictions, cancellationToken).ConfigureAwait(false);
        var summary = new LlmEvaluationSummary(task.Name, task.Labels, test.Count, summaries, rows, unmappable, outputs.Directory);
        await AtomicFile.WriteAllTextAsync(Path.Combine(outputs.Directory, SummaryFileName), JsonSerializer.Serialize(summary, Json), cancellationToken)
            .ConfigureAwait(false);
        return summary;
    }

    /// <summary>Accuracy over all answers; macro-F1 over the task's labels that occur in gold or predictions.</summary>
    public static ClassificationMetrics Metrics(TaskDefinition task, IEnumerable<(string Gold, string Predicted)> pairs) =>
        ClassificationMetrics.Compute(task.Labels, pairs, macroOverLabelOrderOnly: true);

    private sealed class TextProgress(IProgress<LlmRunProgress> target, string setting, int seed, int total) : IProgress<int>
    {
        public void Report(int value) => target.Report(new LlmRunProgress(setting, seed, value, total));
    }
}
