using System.Text.Json;
using System.Text.Json.Serialization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Evaluation.Metrics;
using LowResGen.Reporting;

namespace LowResGen.Evaluation;

/// <summary>
/// The reference protocol: for every setting and seed, balance the training set to at most N per class, optionally
/// normalize, train with the seed, predict the whole gold test set; then summarize over seeds and compare every
/// setting with the reference. Runs (setting, seed) pairs in parallel but writes results in a fixed order; persists
/// after every pair, and a rerun into the same directory skips the pairs results.csv already holds.
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

    private sealed record Job(int SettingIndex, EvaluationSetting Setting, int Seed);

    private sealed record RunManifest(string Trainer, string Task, int PerClass, bool Lowercase, bool StripPunctuation, string TestSet);

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
        await CheckManifestAsync(outputs, task, test, cancellationToken).ConfigureAwait(false);

        var previous = await ResultsFile.ReadIfExistsAsync(outputs.Results, cancellationToken).ConfigureAwait(false);
        var finished = previous.Select(r => (r.Setting, r.Seed)).ToHashSet();
        var jobs = settings.SelectMany((s, i) => Enumerable.Range(0, options.Seeds).Select(seed => new Job(i, s, seed))).ToArray();
        var total = jobs.Length;
        var completed = 0;
        foreach (var job in jobs.Where(j => finished.Contains((j.Setting.Name, j.Seed))))
        {
            var row = previous.Last(r => r.Setting == job.Setting.Name && r.Seed == job.Seed);
            progress?.Report(new EvaluationProgress(++completed, total, row, Resumed: true));
        }

        var testTexts = test.Select(e => options.Normalization.Apply(e.Text)).ToArray();
        var fresh = new List<(Job Job, ResultRow Row, PredictionRow[] Predictions)>();
        using var gate = new SemaphoreSlim(1, 1);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(jobs.Where(j => !finished.Contains((j.Setting.Name, j.Seed))), parallel, async (job, ct) =>
        {
            var (row, predictions) = await RunOneAsync(job, task, test, testTexts, outputs, ct).ConfigureAwait(false);
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // Completion order varies between runs; rows are written in job order at the end.
                fresh.Add((job, row, predictions));
                await ResultsFile.WriteAsync(outputs.Results, previous.Concat(fresh.Select(f => f.Row)), ct).ConfigureAwait(false);
                progress?.Report(new EvaluationProgress(++completed, total, row, Resumed: false));
            }
            finally
            {
                gate.Release();
            }
        }).ConfigureAwait(false);

        var ordered = fresh.OrderBy(f => f.Job.SettingIndex).ThenBy(f => f.Job.Seed).Select(f => f.Row).ToArray();
        await ResultsFile.WriteAsync(outputs.Results, previous.Concat(ordered), cancellationToken).ConfigureAwait(false);
        // This run's predictions are in memory; only seeds finished by an earlier run are read back from their files.
        var predictionsOf = new SeedPredictions(outputs, fresh.ToDictionary(f => (f.Job.Setting.Name, f.Job.Seed), f => f.Predictions));
        await WriteCombinedPredictionsAsync(outputs, jobs, predictionsOf, cancellationToken).ConfigureAwait(false);

        var summary = await SummarizeAsync(task, settings, test.Count, reference, outputs, predictionsOf, [.. previous, .. ordered], cancellationToken)
            .ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(outputs.Summary, JsonSerializer.Serialize(summary, Json), cancellationToken).ConfigureAwait(false);
        return summary;
    }

    private async Task<(ResultRow Row, PredictionRow[] Predictions)> RunOneAsync(Job job, TaskDefinition task, IReadOnlyList<Example> test, string[] testTexts,
        EvaluationOutputs outputs, CancellationToken cancellationToken)
    {
        var balanced = TrainingSetSampler.Balance(job.Setting.Train, options.PerClass, job.Seed).Concat(job.Setting.Added);
        var training = balanced.Select(e => new LabeledText(options.Normalization.Apply(e.Text), e.Label)).ToArray();
        var classifier = await trainer.TrainAsync(training, job.Seed, cancellationToken).ConfigureAwait(false);
        var predictions = new PredictionRow[test.Count];
        for (var i = 0; i < test.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var prediction = classifier.Predict(testTexts[i]);
            predictions[i] = new PredictionRow(job.Setting.Name, job.Seed, test[i].Id, test[i].Text, test[i].Label,
                prediction.Label, prediction.Confidence);
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

    private static ClassificationMetrics Compute(TaskDefinition task, IEnumerable<PredictionRow> predictions) =>
        ClassificationMetrics.Compute(task.Labels, predictions.Select(p => (p.Gold, p.Predicted)));

    private async Task<EvaluationSummary> SummarizeAsync(TaskDefinition task, IReadOnlyList<EvaluationSetting> settings,
        int testCount, string reference, EvaluationOutputs outputs, SeedPredictions predictionsOf, IReadOnlyList<ResultRow> rows,
        CancellationToken cancellationToken)
    {
        // The last row of a (setting, seed) wins, in case an older results file repeats one.
        Dictionary<int, ResultRow> RowsOf(string setting) => rows
            .Where(r => r.Setting == setting && r.Seed >= 0 && r.Seed < options.Seeds)
            .GroupBy(r => r.Seed).ToDictionary(g => g.Key, g => g.Last());

        var referenceRows = RowsOf(reference);
        var summaries = new List<SettingSummary>();
        foreach (var setting in settings)
        {
            var own = RowsOf(setting.Name);
            var seeds = own.Keys.Order().ToArray();
            var isReference = setting.Name == reference;
            var paired = seeds.Where(referenceRows.ContainsKey).ToArray();
            summaries.Add(new SettingSummary(
                setting.Name,
                isReference,
                setting.Train.Count + setting.Added.Count,
                MeanStd.Of([.. seeds.Select(s => own[s].F1)]),
                MeanStd.Of([.. seeds.Select(s => own[s].Accuracy)]),
                isReference ? null : PairedComparison.Compare([.. paired.Select(s => own[s].F1)], [.. paired.Select(s => referenceRows[s].F1)]),
                isReference ? null : PairedComparison.Compare([.. paired.Select(s => own[s].Accuracy)], [.. paired.Select(s => referenceRows[s].Accuracy)]),
                await PerClassAsync(task, predictionsOf, setting.Name, seeds, cancellationToken).ConfigureAwait(false),
                ClassCounts.OfBalanced(task.Labels, setting.Train.Select(e => e.Label), options.PerClass)));
        }

        return new EvaluationSummary(task.Name, task.Labels, trainer.Name, options.Seeds, options.PerClass,
            options.Normalization.Lowercase, options.Normalization.StripPunctuation, testCount, reference, summaries, outputs.Directory);
    }

    private static async Task<IReadOnlyList<ClassSummary>> PerClassAsync(TaskDefinition task, SeedPredictions predictionsOf,
        string setting, IEnumerable<int> seeds, CancellationToken cancellationToken)
    {
        var perSeed = new List<ClassificationMetrics>();
        foreach (var seed in seeds)
        {
            if (await predictionsOf.GetAsync(setting, seed, cancellationToken).ConfigureAwait(false) is { } predictions)
            {
                perSeed.Add(Compute(task, predictions));
            }
        }

        if (perSeed.Count == 0)
        {
            return [];
        }

        return [.. perSeed[0].PerClass.Select((c, i) => new ClassSummary(
            c.Label,
            MeanStd.Of([.. perSeed.Select(m => m.PerClass[i].Precision)]),
            MeanStd.Of([.. perSeed.Select(m => m.PerClass[i].Recall)]),
            MeanStd.Of([.. perSeed.Select(m => m.PerClass[i].F1)]),
            c.Support))];
    }

    private static async Task WriteCombinedPredictionsAsync(EvaluationOutputs outputs, IEnumerable<Job> jobs, SeedPredictions predictionsOf,
        CancellationToken cancellationToken)
    {
        var combined = new List<PredictionRow>();
        foreach (var job in jobs)
        {
            if (await predictionsOf.GetAsync(job.Setting.Name, job.Seed, cancellationToken).ConfigureAwait(false) is { } predictions)
            {
                combined.AddRange(predictions);
            }
        }

        await PredictionsFile.WriteAsync(outputs.Predictions, combined, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The predictions of one setting and seed: this run's from memory, an earlier run's from its file (null if none).</summary>
    private sealed class SeedPredictions(EvaluationOutputs outputs, Dictionary<(string Setting, int Seed), PredictionRow[]> fresh)
    {
        public async Task<IReadOnlyList<PredictionRow>?> GetAsync(string setting, int seed, CancellationToken cancellationToken)
        {
            if (fresh.TryGetValue((setting, seed), out var rows))
            {
                return rows;
            }

            var path = outputs.SeedPredictions(setting, seed);
            return File.Exists(path) ? await PredictionsFile.ReadAsync(path, cancellationToken).ConfigureAwait(false) : null;
        }
    }

    private async Task CheckManifestAsync(EvaluationOutputs outputs, TaskDefinition task, IReadOnlyList<Example> test,
        CancellationToken cancellationToken)
    {
        var manifest = new RunManifest(trainer.Name, task.Name, options.PerClass, options.Normalization.Lowercase,
            options.Normalization.StripPunctuation, Fingerprint(test));
        if (File.Exists(outputs.Manifest))
        {
            RunManifest? existing;
            try
            {
                existing = JsonSerializer.Deserialize<RunManifest>(
                    await File.ReadAllTextAsync(outputs.Manifest, cancellationToken).ConfigureAwait(false), Json);
            }
            catch (JsonException e)
            {
                throw new DataFormatException(outputs.Manifest, e.LineNumber + 1, null, "not a valid run manifest: " + e.Message, e);
            }

            if (existing != manifest)
            {
                throw new InvalidOperationException(
                    $"{outputs.Directory} holds results made with other settings ({SettingsDifference.Describe(existing!, manifest)}); "
                    + "resuming would mix them: use another output directory.");
            }

            return;
        }

        await AtomicFile.WriteAllTextAsync(outputs.Manifest, JsonSerializer.Serialize(manifest, Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Identifies the test set by content, so resuming against a different test file is refused.</summary>
    private static string Fingerprint(IReadOnlyList<Example> test)
    {
        var hash = ContentHash.Of(string.Concat(test.Select(e => $"{e.Id}\u001f{e.Label}\u001f{e.Text}\u001e")), 16);
        return $"{test.Count} examples, sha256 {hash}";
    }

    private static void Validate(IReadOnlyList<EvaluationSetting> settings, IReadOnlyList<Example> test)
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

            if (setting.Train.Count == 0 && setting.Added.Count == 0)
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
