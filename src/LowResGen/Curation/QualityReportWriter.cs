using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Curation;

/// <summary>Writes quality reports (JSON, Markdown) and curation outputs (kept CSV, dropped CSV). Every file is atomic.</summary>
public static class QualityReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(QualityReport report) => JsonSerializer.Serialize(report, Json);

    public static Task WriteJsonAsync(string path, QualityReport report, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, ToJson(report), cancellationToken);

    public static Task WriteMarkdownAsync(string path, QualityReport report, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, ToMarkdown(report), cancellationToken);

    public static string ToMarkdown(QualityReport report, int examplesPerFlag = 20)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Quality report: {report.Source}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{report.Examples.Count} examples, {report.Classes.Count} classes; task {report.Task ?? "-"}, language {report.Language ?? "-"}.");
        md.AppendLine();
        md.AppendLine("| class | n | in language | lang. conf. | exact dup. | near dup. | other-label dup. | distinct-1 | distinct-2 | vocabulary | self-sim. | words (mean ± sd) | test vocab. coverage | OOF agreement | seed agreement | mislabeled? | copying | contamination |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var g in report.Classes.Append(report.Overall))
        {
            md.AppendLine(string.Join(" | ", Row(g)).Insert(0, "| ") + " |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Thresholds: near duplicates ≥ {report.Settings.NearDuplicateThreshold} (character {report.Settings.ShingleSize}-grams, MinHash/LSH); " +
            $"mislabeled when a classifier ({report.Settings.Classifier ?? "none"}) gives another label with confidence ≥ {report.Settings.MislabelConfidence}; " +
            $"copying ≥ {report.Settings.CopyingThreshold}, contamination ≥ {report.Settings.ContaminationThreshold} (word {report.Settings.LeakageNgram}-gram containment); seed {report.Settings.Seed}.");
        if (report.Notes.Count > 0)
        {
            md.AppendLine();
            foreach (var note in report.Notes)
            {
                md.AppendLine("- Not measured: " + note);
            }
        }

        foreach (var (title, flagged) in Flags(report))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {title} ({flagged.Count})");
            md.AppendLine();
            foreach (var (d, why) in flagged.Take(examplesPerFlag))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- #{d.Index} [{d.Label}] {Escape(d.Text)} — {why}");
            }

            if (flagged.Count > examplesPerFlag)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- … and {flagged.Count - examplesPerFlag} more (see the JSON report)");
            }
        }

        return md.ToString();
    }

    /// <summary>The flagged examples of each kind with the reason, in the order the Markdown lists them.</summary>
    public static IReadOnlyList<(string Title, IReadOnlyList<(ExampleDiagnostics Example, string Reason)> Flagged)> Flags(QualityReport report)
    {
        var s = report.Settings;
        (string, IReadOnlyList<(ExampleDiagnostics, string)>) Kind(string title, CurationFilter filter) =>
            (title, [.. report.Examples.Select(d => (d, filter.Reason(d, s))).Where(x => x.Item2 is not null).Select(x => (x.d, x.Item2!))]);
        return
        [
            Kind("Not in the target language", new CurationFilter(CurationFilter.LanguageName)),
            Kind("Exact duplicates", new CurationFilter(CurationFilter.ExactDuplicatesName)),
            Kind("Near duplicates", new CurationFilter(CurationFilter.NearDuplicatesName)),
            Kind("Duplicates across labels", new CurationFilter(CurationFilter.CrossLabelName)),
            Kind("Possibly mislabeled (out-of-fold)", new CurationFilter(CurationFilter.ConsistencyName)),
            Kind("Possibly mislabeled (gold seed)", new CurationFilter(CurationFilter.SeedAgreementName)),
            Kind("Copied from demonstrations", new CurationFilter(CurationFilter.CopyingName)),
            Kind("Contaminated by the gold test set", new CurationFilter(CurationFilter.ContaminationName)),
        ];
    }

    /// <summary>The cells of one row of the per-class table, formatted for people.</summary>
    public static IReadOnlyList<string> Row(GroupQuality g) =>
    [
        g.Group, g.Count.ToString(CultureInfo.InvariantCulture), Percent(g.InLanguageShare), Number(g.MeanLanguageConfidence),
        g.ExactDuplicates.ToString(CultureInfo.InvariantCulture), g.NearDuplicates.ToString(CultureInfo.InvariantCulture),
        g.OtherLabelDuplicates.ToString(CultureInfo.InvariantCulture), Number(g.Distinct1), Number(g.Distinct2),
        g.VocabularySize.ToString(CultureInfo.InvariantCulture), Number(g.SelfSimilarity),
        string.Create(CultureInfo.InvariantCulture, $"{g.Length.Mean:0.0} ± {g.Length.StandardDeviation:0.0}"),
        Percent(g.GoldTestVocabularyCoverage), Percent(g.OutOfFoldAgreement), Percent(g.SeedAgreement),
        Count(g.FlaggedMislabeled), Count(g.FlaggedCopying), Count(g.FlaggedContamination),
    ];

    /// <summary>Writes examples as a `text,intent` CSV (the layout <see cref="ExampleFiles"/> reads back).</summary>
    public static Task WriteExamplesCsvAsync(string path, IReadOnlyList<Example> examples, CancellationToken cancellationToken) =>
        ExampleFiles.WriteCsvAsync(path, examples, null, cancellationToken);

    /// <summary>Writes the dropped examples with the filter and the reason of each.</summary>
    public static Task WriteDroppedCsvAsync(string path, IReadOnlyList<DroppedExample> dropped, CancellationToken cancellationToken) =>
        CsvFormat.WriteAsync(path, ["id", "text", "intent", "filter", "reason"],
            dropped.Select(d => new[] { d.Example.Id, d.Example.Text, d.Example.Label, d.Filter, d.Reason }), cancellationToken);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "-";

    private static string Number(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static string Count(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
