using LowResGen.Evaluation.Metrics;
using LowResGen.Experiments;
using LowResGen.Generation;

namespace LowResGen.Reporting;

/// <summary>Gathers a study's report data from its store and cell folders, and writes report.html and report.md.</summary>
public static class StudyReportBuilder
{
    /// <summary>Examples shown per generation cell: enough to browse, few enough to keep the HTML light.</summary>
    public const int ExamplesPerCell = 200;

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
        var confusion = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            if (cell.Kind == CellKind.Generate && cell.ArtifactPath is { } generated)
            {
                var log = new GenerationOutputs(Path.GetDirectoryName(generated)!, cell.Language).Examples;
                if (File.Exists(log))
                {
                    var records = await JsonlLog<GeneratedExampleRecord>.ReadAsync(log, cancellationToken).ConfigureAwait(false);
                    examples.AddRange(records.Take(ExamplesPerCell).Select(r => new ReportedExample(cell.Task, cell.Language, cell.Model ?? "", cell.Strategy ?? "",
                        r.Label, r.Text, r.Accepted ? "kept" : "rejected: " + r.RejectionStage,
                        Detail(r))));
                }
            }

            if (cell.Kind is CellKind.Evaluate or CellKind.Gold && cell.ArtifactPath is { } directory
                && Directory.Exists(Path.Combine(directory, "confusion")))
            {
                var first = Directory.GetFiles(Path.Combine(directory, "confusion"), "*-seed0.png").Order(StringComparer.Ordinal).FirstOrDefault();
                if (first is not null)
                {
                    confusion[$"{cell.Task} {cell.Language} {cell.Model} {cell.Setting}".Replace("  ", " ", StringComparison.Ordinal)] = first;
                }
            }
        }

        return new StudyReportData(study, cells, examples, confusion,
            (setting, reference) => PairedComparison.TTestOf([.. setting.Zip(reference, (a, b) => a - b)]).PValue);
    }

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
