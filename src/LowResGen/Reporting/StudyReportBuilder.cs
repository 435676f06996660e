using LowResGen.Evaluation.Metrics;
using LowResGen.Experiments;
using LowResGen.Generation;

namespace LowResGen.Reporting;

/// <summary>Gathers a study's report data from its store and cell folders, and writes report.html and report.md.</summary>
public static class StudyReportBuilder
{
    public static async Task<StudyReportData> GatherAsync(StudyDefinition study, CancellationToken cancellationToken)
    {
        var storePath = StudyService.StorePath(study, ShardSpec.Whole);
        if (!File.Exists(storePath))
        {
            throw new FileNotFoundException($"No results yet: {storePath} does not exist (run `study run`, or `study merge` after shards).", storePath);
        }

        await using var store = await StudyStore.OpenAsync(storePath, cancellationToken).ConfigureAwait(false);
        var cells = await store.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var examples = new List<ReportedExample>();
        var funnels = new List<GenerationFunnel>();
        var confusion = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            if (cell.Kind == CellKind.Generate && cell.ArtifactPath is { } generated)
            {
                var log = new GenerationOutputs(Path.GetDirectoryName(generated)!, cell.Language).Examples;
                if (File.Exists(log))
                {
                    var records = await JsonlLog.ReadAsync<GeneratedExampleRecord>(log, cancellationToken).ConfigureAwait(false);
                    // Every example: the HTML only indexes them, the rows go to the data folder beside it.
                    funnels.Add(new GenerationFunnel(cell.Task, cell.Language, cell.Model ?? "", cell.Strategy ?? "", Funnel(records)));
                    examples.AddRange(records.Select(r => new ReportedExample(cell.Task, cell.Language, cell.Model ?? "", cell.Strategy ?? "",
                        r.Label, r.Text, r.Accepted ? "kept" : "rejected: " + r.RejectionStage,
                        Detail(r))));
                }
            }

            if (cell.Kind is CellKind.Evaluate or CellKind.Gold or CellKind.Classify && cell.ArtifactPath is { } directory
                && Directory.Exists(Path.Combine(directory, "confusion")))
            {
                var seeds = SeedImages(Path.Combine(directory, "confusion"));
                if (seeds.Count > 0)
                {
                    confusion[$"{cell.Task} {cell.Language} {cell.Model} {cell.Setting}".Replace("  ", " ", StringComparison.Ordinal)] = seeds;
                }
            }
        }

        var partial = new StudyReportData(study, cells, examples, confusion,
            (setting, reference) => PairedComparison.TTestOf([.. setting.Zip(reference, (a, b) => a - b)]).PValue)
        {
            Funnels = funnels,
        };
        return partial with { GoldOnLlmItems = await GoldOnLlmItemsAsync(partial, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>
    /// For every LLM cell that classified part of the test set (llm_classification_limit), the gold baseline of the first
    /// student rescored per seed on exactly those items, from the gold cell's predictions; cells whose files are gone are left out.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<SeedScore>>> GoldOnLlmItemsAsync(StudyReportData data, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<SeedScore>>(StringComparer.Ordinal);
        if (data.Study.LlmClassificationLimit <= 0)
        {
            return result;
        }

        var student = StudyRecords.Students(data)[0];
        foreach (var cell in data.Cells.Where(c => c.Kind == CellKind.Classify && c.ArtifactPath is not null))
        {
            var gold = data.Cells.FirstOrDefault(c => c.Kind == CellKind.Gold && c.Task == cell.Task && c.Language == cell.Language
                && StudyRecords.AtLargestSize(c, data.Study) && StudyRecords.StudentOf(c, data.Study) == student);
            var llmPredictions = new LowResGen.Evaluation.EvaluationOutputs(cell.ArtifactPath!).Predictions;
            if (gold?.ArtifactPath is null || !File.Exists(llmPredictions) || new LowResGen.Evaluation.EvaluationOutputs(gold.ArtifactPath).Predictions is not { } goldPredictions
                || !File.Exists(goldPredictions))
            {
                continue;
            }

            var items = (await LowResGen.Evaluation.PredictionsFile.ReadAsync(llmPredictions, cancellationToken).ConfigureAwait(false))
                .Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var task = data.Study.TaskOf(cell.Task);
            result[cell.Key] = [.. (await LowResGen.Evaluation.PredictionsFile.ReadAsync(goldPredictions, cancellationToken).ConfigureAwait(false))
                .Where(p => items.Contains(p.Id)).GroupBy(p => p.Seed).OrderBy(g => g.Key)
                .Select(g => LowResGen.Evaluation.EvaluationRunner.Compute(task, g) is var metrics ? new SeedScore(g.Key, metrics.MacroF1, metrics.Accuracy) : null!)];
        }

        return result;
    }

    /// <summary>Candidates through the stages in order, counted as the generation report counts them per class.</summary>
    private static IReadOnlyList<StageCount> Funnel(IReadOnlyCollection<GeneratedExampleRecord> records) =>
        ClassReport.From("", 0, 0, false, records, 0).Stages;

    /// <summary>The confusion PNG of every seed (a rerun's "-2" copy wins), in seed order.</summary>
    private static IReadOnlyList<string> SeedImages(string folder) =>
        [.. Directory.GetFiles(folder, "*.png")
            .Select(f => (File: f, Match: System.Text.RegularExpressions.Regex.Match(Path.GetFileName(f), @"-seed(\d+)(?:-(\d+))?\.png$")))
            .Where(x => x.Match.Success)
            .GroupBy(x => int.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => g.OrderBy(x => x.Match.Groups[2].Success ? int.Parse(x.Match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 1).Last().File)];

    public static async Task<(string Html, string Markdown)> WriteAsync(StudyDefinition study, CancellationToken cancellationToken) =>
        await WriteAsync(await GatherAsync(study, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public static async Task<(string Html, string Markdown)> WriteAsync(StudyReportData data, CancellationToken cancellationToken)
    {
        var study = data.Study;
        var html = Path.Combine(study.OutputDirectory, "report.html");
        var markdown = Path.Combine(study.OutputDirectory, "report.md");
        await StudyReportWriter.WriteAsync(data, html, markdown, cancellationToken).ConfigureAwait(false);
        return (html, markdown);
    }

    private static string Detail(GeneratedExampleRecord record)
    {
        var parts = new List<string> { $"attempt {record.Attempt}", $"template {record.TemplateVersion}", $"prompt {record.PromptHash[..Math.Min(8, record.PromptHash.Length)]}" };
        if (record.JudgeVerdict is not null)
        {
            parts.Add($"judge: {record.JudgeVerdict} {record.JudgeReason}");
        }

        if (record.DetectedLanguage is not null)
        {
            parts.Add($"language: {record.DetectedLanguage} {record.LanguageConfidence:F2}");
        }

        if (record.RejectionReason is not null)
        {
            parts.Add(record.RejectionReason);
        }

        return string.Join("; ", parts);
    }
}
