using System.Text.Json;
using System.Text.Json.Serialization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Evaluation.Metrics;
using LowResGen.Reporting;

namespace LowResGen.Evaluation;

/// <summary>
/// The one evaluation protocol of every student (n-gram, encoder, fusion, the LLM as a classifier): for every setting and
/// seed, balance the training set to at most N per class, optionally normalize, train (fit) with the seed, predict the
/// whole gold test set in one batched call; then summarize over seeds and compare every setting with the reference.
/// A student that does not use the seed (zero-shot) runs under the first seed only. Runs (setting, seed) pairs in
/// parallel but writes results in a fixed order, and persists after every pair.
/// <para>Resuming, the one rule: a (setting, seed) is done when results.csv has its row and its predictions file is
/// complete; a rerun trains only the others. results.csv then holds the rows of other settings run into the same
/// directory earlier (kept as they were) followed by this run's settings, each with exactly the seeds asked for.
/// run.json records each setting's configuration (student, task, size, normalization, test set); a rerun that
/// changes one is refused instead of mixing results.</para>
/// <para>Macro-F1 averages over the task's labels; a prediction of no label (<see cref="Prediction.NoLabel"/>) is wrong,
/// its own confusion column, and counted in the summary.</para>
/// </summary>
public sealed class EvaluationRunner(IClassifierTrainer trainer, EvaluationOptions options)
{
    public const string DefaultReference = "gold";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private sealed record Job(int SettingIndex, EvaluationSetting Setting, IClassifierTrainer Trainer, int Seed);

    private sealed record SettingManifest(string Trainer, string Task, int PerClass, bool Lowercase, bool StripPunctuation, string TestSet);

    private sealed record RunManifest(Dictionary<string, SettingManifest> Settings);

    /// <param name="task">Label order for metrics and plots; null means the labels found in the data, in ordinal order.</param>
    public async Task<EvaluationSummary> RunAsync(
        TaskDefinition? task,
        IReadOnlyList<EvaluationSetting> settings,
        IReadOnlyList<Example> test,
        string outputDirectory,
        IProgress<EvaluationProgress>? progress,
        CancellationToken cancellationToken)
    {
        Validate(settings, test);
        task ??= new TaskDefinition("labels",
            [.. test.Concat(settings.SelectMany(s => s.Train)).Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        var reference = ResolveReference(settings, options.Reference);
        var outputs = new EvaluationOutputs(outputDirectory);
        Directory.CreateDirectory(outputs.Directory);
        var previous = await ResultsFile.ReadIfExistsAsync(outputs.Results, cancellationToken).ConfigureAwait(false);
        await CheckManifestAsync(outputs, task, settings, test, previous, cancellationToken).ConfigureAwait(false);

        var names = settings.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var earlierRows = previous.Where(r => !names.Contains(r.Setting)).ToArray();
        var jobs = settings.SelectMany((s, i) => SeedsOf(s).Select(seed => new Job(i, s, TrainerOf(s), seed))).ToArray();
        var rows = new ResultRow?[jobs.Length];
        var predictionsOf = new Dictionary<(string Setting, int Seed), PredictionRow[]>();
        var total = jobs.Length;
        var completed = 0;
        for (var j = 0; j < jobs.Length; j++)
        {
            var job = jobs[j];
            var row = previous.LastOrDefault(r => r.Setting == job.Setting.Name && r.Seed == job.Seed);
            if (row is not null && await ReadCompleteAsync(outputs.SeedPredictions(job.Setting.Name, job.Seed), test.Count, cancellationToken)
                    .ConfigureAwait(false) is { } done)
            {
                rows[j] = row;
                predictionsOf[(job.Setting.Name, job.Seed)] = done;
                progress?.Report(new EvaluationProgress(++completed, total, row, Resumed: true));
            }
        }

        var testTexts = test.Select(e => options.Normalization.Apply(e.Text)).ToArray();
        using var gate = new SemaphoreSlim(1, 1);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs.Length).Where(j => rows[j] is null), parallel, async (j, ct) =>
        {
            var job = jobs[j];
            var (row, predictions) = await RunOneAsync(job, task, test, testTexts, outputs, ct).ConfigureAwait(false);
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // Completion order varies between runs; rows are always written in job order.
                rows[j] = row;
                predictionsOf[(job.Setting.Name, job.Seed)] = predictions;
                await ResultsFile.WriteAsync(outputs.Results, [.. earlierRows, .. rows.OfType<ResultRow>()], ct).ConfigureAwait(false);
                progress?.Report(new EvaluationProgress(++completed, total, row, Resumed: false));
            }
            finally
            {
                gate.Release();
            }
        }).ConfigureAwait(false);

        var ordered = rows.Select(r => r!).ToArray();
        await ResultsFile.WriteAsync(outputs.Results, [.. earlierRows, .. ordered], cancellationToken).ConfigureAwait(false);
        var earlierPredictions = File.Exists(outputs.Predictions)
            ? (await PredictionsFile.ReadAsync(outputs.Predictions, cancellationToken).ConfigureAwait(false)).Where(p => !names.Contains(p.Setting))
            : [];
        await PredictionsFile.WriteAsync(outputs.Predictions, [.. earlierPredictions, .. jobs.SelectMany(j => predictionsOf[(j.Setting.Name, j.Seed)])],
            cancellationToken).ConfigureAwait(false);

        var summary = Summarize(task, settings, test.Count, reference, outputs, predictionsOf, ordered);
        await AtomicFile.WriteAllTextAsync(outputs.Summary, JsonSerializer.Serialize(summary, Json), cancellationToken).ConfigureAwait(false);
        return summary;
    }

    private IClassifierTrainer TrainerOf(EvaluationSetting setting) => setting.Trainer ?? trainer;

    /// <summary>The seeds a setting runs: all of them, or the first only for a student that does not use the seed.</summary>
    private IReadOnlyList<int> SeedsOf(EvaluationSetting setting) =>
        TrainerOf(setting).UsesSeed ? options.SeedValues : [.. options.SeedValues.Take(1)];

    /// <summary>The predictions of a finished seed, or null when the file is missing, torn or short (the seed reruns).</summary>
    private static async Task<PredictionRow[]?> ReadCompleteAsync(string path, int count, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var rows = await PredictionsFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            return rows.Count == count ? [.. rows] : null;
        }
        catch (Exception e) when (e is DataFormatException or InvalidDataException)
        {
            return null;
        }
    }

    private async Task<(ResultRow Row, PredictionRow[] Predictions)> RunOneAsync(Job job, TaskDefinition task, IReadOnlyList<Example> test, string[] testTexts,
        EvaluationOutputs outputs, CancellationToken cancellationToken)
    {
        IEnumerable<Example> balanced = job.Setting.Train.Count == 0 ? job.Setting.Added
            : TrainingSetSampler.Balance(job.Setting.Train, job.Setting.PerClass ?? options.PerClass, job.Seed).Concat(job.Setting.Added);
        var training = balanced.Select(e => new LabeledText(options.Normalization.Apply(e.Text), e.Label)).ToArray();
        var classifier = await job.Trainer.TrainAsync(training, job.Seed, cancellationToken).ConfigureAwait(false);
        var predicted = await classifier.PredictAsync(testTexts, cancellationToken).ConfigureAwait(false);
        if (predicted.Count != test.Count)
        {
            throw new InvalidOperationException($"{job.Trainer.Name} returned {predicted.Count} predictions for {test.Count} texts.");
        }

        var predictions = new PredictionRow[test.Count];
        for (var i = 0; i < test.Count; i++)
        {
            predictions[i] = new PredictionRow(job.Setting.Name, job.Seed, test[i].Id, test[i].Text, test[i].Label,
                predicted[i].Label, predicted[i].Confidence)
            { Answer = predicted[i].Answer };
        }

        var metrics = Compute(task, predictions);
        await PredictionsFile.WriteAsync(outputs.SeedPredictions(job.Setting.Name, job.Seed), predictions, cancellationToken)
            .ConfigureAwait(false);
        if (options.WritePlots)
        {
            await ConfusionMatrixPlot.WriteAsync(metrics.Confusion,
                $"{job.Setting.Name}, seed {job.Seed}: macro-F1 {metrics.MacroF1:F3}, accuracy {metrics.Accuracy:F3}",
                outputs.NewConfusionPlot(job.Setting.Name, job.Seed), cancellationToken).ConfigureAwait(false);
        }

        return (new ResultRow(job.Setting.Name, job.Seed, metrics.MacroF1, metrics.Accuracy), predictions);
    }

    /// <summary>Accuracy over all predictions; macro-F1 over the task's labels (a prediction of no label is wrong, not a class).</summary>
    public static ClassificationMetrics Compute(TaskDefinition task, IEnumerable<PredictionRow> predictions) =>
        ClassificationMetrics.Compute(task.Labels, predictions.Select(p => (p.Gold, p.Predicted)), macroOverLabelOrderOnly: true);

    private EvaluationSummary Summarize(TaskDefinition task, IReadOnlyList<EvaluationSetting> settings, int testCount, string reference,
        EvaluationOutputs outputs, Dictionary<(string Setting, int Seed), PredictionRow[]> predictionsOf, IReadOnlyList<ResultRow> rows)
    {
        Dictionary<int, ResultRow> RowsOf(string setting) => rows.Where(r => r.Setting == setting).ToDictionary(r => r.Seed);

        var referenceSetting = settings.First(s => s.Name == reference);
        var referenceRows = RowsOf(reference);
        var summaries = new List<SettingSummary>();
        foreach (var setting in settings)
        {
            var own = RowsOf(setting.Name);
            var seeds = own.Keys.Order().ToArray();
            var isReference = setting.Name == reference;
            // Paired by seed only where seed s is the same draw in both: the same student (same sampling, same model
            // initialisation). Different students (an encoder against the n-gram model, the LLM's demonstration draws)
            // are independent runs: Welch's unpaired test.
            var paired = TrainerOf(setting).Name == TrainerOf(referenceSetting).Name;
            PairedComparison? CompareOn(Func<ResultRow, double> metric)
            {
                if (isReference)
                {
                    return null;
                }

                if (paired)
                {
                    var common = seeds.Where(referenceRows.ContainsKey).ToArray();
                    return PairedComparison.Compare([.. common.Select(s => metric(own[s]))], [.. common.Select(s => metric(referenceRows[s]))]);
                }

                return PairedComparison.CompareUnpaired([.. seeds.Select(s => metric(own[s]))], [.. referenceRows.Values.OrderBy(r => r.Seed).Select(metric)]);
            }

            var predictions = seeds.Select(s => predictionsOf[(setting.Name, s)]).ToArray();
            summaries.Add(new SettingSummary(
                setting.Name,
                isReference,
                setting.Train.Count + setting.Added.Count,
                MeanStd.Of([.. seeds.Select(s => own[s].F1)]),
                MeanStd.Of([.. seeds.Select(s => own[s].Accuracy)]),
                CompareOn(r => r.F1),
                CompareOn(r => r.Accuracy),
                PerClass(task, predictions),
                ClassCounts.OfBalanced(task.Labels, setting.Train.Select(e => e.Label), setting.PerClass ?? options.PerClass))
            {
                Trainer = TrainerOf(setting).Name,
                Unmapped = predictions.Sum(p => p.Count(r => r.Predicted == Prediction.NoLabel)),
                Predictions = predictions.Sum(p => p.Length),
            });
        }

        return new EvaluationSummary(task.Name, task.Labels, trainer.Name, options.SeedValues.Count, options.PerClass,
            options.Normalization.Lowercase, options.Normalization.StripPunctuation, testCount, reference, summaries, outputs.Directory)
        {
            Rows = rows,
        };
    }

    private static IReadOnlyList<ClassSummary> PerClass(TaskDefinition task, IReadOnlyList<PredictionRow[]> predictions)
    {
        var perSeed = predictions.Select(p => Compute(task, p)).ToArray();
        if (perSeed.Length == 0)
        {
            return [];
        }

        return [.. perSeed[0].PerClass.Take(task.Labels.Count).Select((c, i) => new ClassSummary(
            c.Label,
            MeanStd.Of([.. perSeed.Select(m => m.PerClass[i].Precision)]),
            MeanStd.Of([.. perSeed.Select(m => m.PerClass[i].Recall)]),
            MeanStd.Of([.. perSeed.Select(m => m.PerClass[i].F1)]),
            c.Support))];
    }

    private async Task CheckManifestAsync(EvaluationOutputs outputs, TaskDefinition task, IReadOnlyList<EvaluationSetting> settings,
        IReadOnlyList<Example> test, IReadOnlyList<ResultRow> previous, CancellationToken cancellationToken)
    {
        var testSet = Fingerprint(test);
        var recorded = new Dictionary<string, SettingManifest>(StringComparer.Ordinal);
        if (File.Exists(outputs.Manifest))
        {
            try
            {
                var text = await File.ReadAllTextAsync(outputs.Manifest, cancellationToken).ConfigureAwait(false);
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.TryGetProperty("settings", out _))
                {
                    recorded = JsonSerializer.Deserialize<RunManifest>(text, Json)?.Settings ?? recorded;
                }
                else if (JsonSerializer.Deserialize<SettingManifest>(text, Json) is { } legacy)
                {
                    // An older run.json held one configuration for the whole directory.
                    foreach (var name in previous.Select(r => r.Setting).Distinct(StringComparer.Ordinal))
                    {
                        recorded[name] = legacy;
                    }
                }
            }
            catch (JsonException e)
            {
                throw new DataFormatException(outputs.Manifest, e.LineNumber + 1, null, "not a valid run manifest: " + e.Message, e);
            }
        }

        foreach (var setting in settings)
        {
            var manifest = new SettingManifest(TrainerOf(setting).Name, task.Name, setting.PerClass ?? options.PerClass, options.Normalization.Lowercase,
                options.Normalization.StripPunctuation, testSet);
            if (recorded.TryGetValue(setting.Name, out var existing) && existing != manifest)
            {
                throw new InvalidOperationException(
                    $"{outputs.Directory} holds results of setting '{setting.Name}' made with other settings " +
                    $"({SettingsDifference.Describe(existing, manifest)}); resuming would mix them: use another output directory.");
            }

            recorded[setting.Name] = manifest;
        }

        await AtomicFile.WriteAllTextAsync(outputs.Manifest, JsonSerializer.Serialize(new RunManifest(recorded), Json), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Identifies the test set by content, so resuming against a different test file is refused.</summary>
    private static string Fingerprint(IReadOnlyList<Example> test)
    {
        var hash = ContentHash.Of(string.Concat(test.Select(e => $"{e.Id}\u001f{e.Label}\u001f{e.Text}\u001e")), 16);
        return $"{test.Count} examples, sha256 {hash}";
    }

    private void Validate(IReadOnlyList<EvaluationSetting> settings, IReadOnlyList<Example> test)
    {
        if (settings.Count == 0)
        {
            throw new ArgumentException("At least one training setting is needed.", nameof(settings));
        }

        if (test.Count == 0)
        {
            throw new ArgumentException("The test set is empty.", nameof(test));
        }

        foreach (var setting in settings)
        {
            if (string.IsNullOrWhiteSpace(setting.Name) || setting.Name.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                throw new ArgumentException($"Setting name '{setting.Name}' must be non-empty and free of commas, quotes and line breaks.", nameof(settings));
            }

            if (setting.Train.Count == 0 && setting.Added.Count == 0 && (setting.Trainer ?? trainer).NeedsTrainingData)
            {
                throw new ArgumentException($"Setting '{setting.Name}' has no training examples.", nameof(settings));
            }
        }

        var clash = settings.GroupBy(s => EvaluationOutputs.SafeName(s.Name), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new ArgumentException(
                $"Settings {string.Join(" and ", clash.Select(s => $"'{s.Name}'"))} would share output file names; rename one.", nameof(settings));
        }
    }

    public static string ResolveReference(IReadOnlyList<EvaluationSetting> settings, string? requested)
    {
        if (requested is not null)
        {
            return settings.Any(s => s.Name == requested)
                ? requested
                : throw new ArgumentException(
                    $"Reference setting '{requested}' is not among the settings ({string.Join(", ", settings.Select(s => s.Name))}).",
                    nameof(requested));
        }

        return settings.Any(s => s.Name == DefaultReference) ? DefaultReference : settings[0].Name;
    }
}
