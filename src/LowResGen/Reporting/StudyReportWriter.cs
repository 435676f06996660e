using System.Globalization;
using System.Net;
using System.Text;
using LowResGen.Common;
using LowResGen.Evaluation.Metrics;
using LowResGen.Experiments;

namespace LowResGen.Reporting;

/// <summary>One row of the browsable table of generated examples.</summary>
public sealed record ReportedExample(string Task, string Language, string Model, string Strategy, string Label, string Text, string Verdict, string Detail);

/// <summary>Everything a study report shows, gathered from the store and the cells' folders.</summary>
public sealed record StudyReportData(
    StudyDefinition Study,
    IReadOnlyList<CellRecord> Cells,
    IReadOnlyList<ReportedExample> Examples,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ConfusionMatrices,
    Func<IReadOnlyList<double>, IReadOnlyList<double>, double>? PairedPValue = null)
{
    /// <summary>Acceptance per stage of every generation cell (parsed → length → duplicate → language → judge).</summary>
    public IReadOnlyList<GenerationFunnel> Funnels { get; init; } = [];

    /// <summary>
    /// Per LLM-classification cell (by key), the gold baseline's scores per seed on exactly the test items that cell
    /// classified (recomputed from the gold cell's predictions), so that a limited LLM cell is compared on its own items.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SeedScore>> GoldOnLlmItems { get; init; } = new Dictionary<string, IReadOnlyList<SeedScore>>();
}

/// <summary>One generation cell's candidates through the stages: how many entered and passed each.</summary>
public sealed record GenerationFunnel(string Task, string Language, string Model, string Strategy, IReadOnlyList<LowResGen.Generation.StageCount> Stages);

/// <summary>The examples of one generation cell, written as one data file the report loads on demand.</summary>
public sealed record ExampleChunk(int Id, string Task, string Language, string Model, string Strategy, IReadOnlyList<ReportedExample> Examples);

/// <summary>
/// Writes a study's report as HTML and Markdown: mean ± std per language and setting for each task and model, the gap
/// to gold with Holm-corrected significance marks, gap charts with confidence intervals, a heatmap of gaps, acceptance
/// funnels, confusion matrices, token usage and elapsed time, and the generated examples. The HTML needs no server and
/// no network (styles and script inline); the examples live in a data folder beside it, loaded page by page, so the
/// file stays small at any study size.
/// </summary>
public static class StudyReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The folder beside report.html holding the examples, one script per generation cell.</summary>
    public const string DataFolderName = "report-data";

    /// <summary>Writes the example chunks into <see cref="DataFolderName"/> beside the HTML first, then the HTML and the Markdown.</summary>
    public static async Task WriteAsync(StudyReportData data, string htmlPath, string markdownPath, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(htmlPath))!;
        await ReportExampleData.WriteAsync(ExampleChunks(data), Path.Combine(directory, DataFolderName), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(htmlPath, Html(data, directory), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(markdownPath, Markdown(data), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A table for one task and model: rows are settings (one per setting and student when the study has several
    /// students), columns languages, cells the scores over seeds at the study's largest training size. The LLM as a
    /// classifier is a block of its own (<see cref="LlmRows"/>), outside the Holm family of the students' rows.
    /// </summary>
    public sealed record ScoreTable(string Task, string Model, IReadOnlyList<string> Languages, IReadOnlyList<ScoreRow> Rows)
    {
        /// <summary>LLM-as-classifier rows: their gap is to gold on the same test items, and they are not tested.</summary>
        public IReadOnlyList<ScoreRow> LlmRows { get; init; } = [];
    }

    public sealed record ScoreRow(string Setting, IReadOnlyList<ScoreCell?> Cells)
    {
        /// <summary>The student of the row where the study has several; null otherwise.</summary>
        public string? Student { get; init; }

        public string Label => Student is null ? Setting : $"{Setting} [{Student}]";
    }

    /// <summary>
    /// Mean and std of macro-F1 over seeds, the gap to gold in points, its paired p-value over seeds (uncorrected) and
    /// after the Holm correction over every comparison of the table, whether that corrected p is below 0.05, and the
    /// examples per class the cell trained on (null in stores written before counts were kept).
    /// </summary>
    public sealed record ScoreCell(double Mean, double Std, double? GapPoints, bool Significant, double? PValue = null, double? HolmPValue = null,
        ClassCounts? Counts = null)
    {
        public bool IsShort => Counts?.IsShort == true;

        /// <summary>95 % percentile bootstrap interval of the mean gap over seeds, in points; null without paired seeds.</summary>
        public (double Low, double High)? GapInterval { get; init; }
    }

    public static IReadOnlyList<ScoreTable> Tables(StudyReportData data)
    {
        var study = data.Study;
        var languages = study.Languages.Select(l => LowResGen.Data.LanguageRegistry.Default.Resolve(l).Code).ToArray();
        var scored = data.Cells.Where(c => c.Scores.Count > 0 && StudyRecords.AtLargestSize(c, study)).ToArray();
        var students = StudyRecords.Students(data);
        var tables = new List<ScoreTable>();
        foreach (var task in study.TaskKeys)
        {
            var models = scored.Where(c => c.Task == task && c.Model is not null).Select(c => c.Model!).Distinct().Order(StringComparer.Ordinal).ToList();
            if (models.Count == 0)
            {
                models.Add("");
            }

            CellRecord? Gold(string language, string student) =>
                scored.FirstOrDefault(c => c.Task == task && c.Language == language && c.Kind == CellKind.Gold && StudyRecords.StudentOf(c, study) == student);

            foreach (var model in models)
            {
                var settings = new List<string> { "gold" };
                // Settings without a model (transfer, few-gold:k) are rows of every model's table, like gold.
                settings.AddRange(scored.Where(c => c.Task == task && c.Kind is not (CellKind.Gold or CellKind.Classify) && (c.Model == model || c.Model is null))
                    .Select(c => c.Setting).Distinct().Order(StringComparer.Ordinal));
                var rows = (from student in students
                            from setting in settings
                            select new ScoreRow(setting, [.. languages.Select(language =>
                            {
                                var cell = scored.FirstOrDefault(c => c.Task == task && c.Language == language && c.Setting == setting && c.Kind != CellKind.Classify
                                    && (c.Model is null || c.Model == model) && StudyRecords.StudentOf(c, study) == student);
                                return cell is null ? null : Score(cell, setting == "gold" ? null : Gold(language, student), data.PairedPValue);
                            })])
                            {
                                Student = students.Count > 1 ? student : null,
                            }).Where(r => r.Cells.Any(c => c is not null)).ToArray();

                // The LLM rows: mean ± std over its seeds, and the gap to the first student's gold on the same test items
                // (the whole test set, or the gold predictions recomputed on the items a limited cell classified).
                var llmRows = scored.Where(c => c.Task == task && c.Kind == CellKind.Classify && c.Model == model).Select(c => c.Setting).Distinct()
                    .Order(StringComparer.Ordinal).Select(setting => new ScoreRow(setting, [.. languages.Select(language =>
                    {
                        var cell = scored.FirstOrDefault(c => c.Task == task && c.Language == language && c.Kind == CellKind.Classify && c.Setting == setting && c.Model == model);
                        return cell is null ? null : LlmScore(cell, data, Gold(language, students[0]));
                    })])).ToArray();
                tables.Add(new ScoreTable(task, model, languages, HolmCorrected(rows)) { LlmRows = llmRows });
            }
        }

        return tables;
    }

    /// <summary>An LLM cell against gold on the same items: the items it classified, when those are known or are the whole test set.</summary>
    private static ScoreCell LlmScore(CellRecord cell, StudyReportData data, CellRecord? gold)
    {
        var f1 = MeanStd.Of([.. cell.Scores.Select(s => s.MacroF1)]);
        IReadOnlyList<SeedScore>? reference = data.GoldOnLlmItems.TryGetValue(cell.Key, out var onItems) ? onItems
            : data.Study.LlmClassificationLimit == 0 ? gold?.Scores : null;
        double? gap = reference is { Count: > 0 } ? (f1.Mean - reference.Average(s => s.MacroF1)) * 100 : null;
        return new ScoreCell(f1.Mean, f1.Std, gap, false);
    }

    private static ScoreCell Score(CellRecord cell, CellRecord? gold, Func<IReadOnlyList<double>, IReadOnlyList<double>, double>? pValue)
    {
        var f1 = MeanStd.Of([.. cell.Scores.Select(s => s.MacroF1)]);
        if (gold is null)
        {
            return new ScoreCell(f1.Mean, f1.Std, null, false);
        }

        var gap = (f1.Mean - gold.Scores.Average(s => s.MacroF1)) * 100;
        var paired = cell.Scores.Join(gold.Scores, s => s.Seed, s => s.Seed, (a, b) => (a.MacroF1, b.MacroF1)).ToArray();
        double? p = pValue is not null && paired.Length >= 2 ? pValue([.. paired.Select(x => x.Item1)], [.. paired.Select(x => x.Item2)]) : null;
        var interval = paired.Length == 0 ? ((double, double)?)null
            : PairedComparison.BootstrapInterval([.. paired.Select(x => (x.Item1 - x.Item2) * 100)], 2_000, 0);
        return new ScoreCell(f1.Mean, f1.Std, gap, false, p, null, cell.Counts) { GapInterval = interval };
    }

    /// <summary>One family per table: every (setting, language) gap to gold is corrected for the others (Holm).</summary>
    private static ScoreRow[] HolmCorrected(ScoreRow[] rows)
    {
        var tested = rows.SelectMany((row, r) => row.Cells.Select((cell, c) => (r, c, cell)))
            .Where(x => x.cell?.PValue is { } p && !double.IsNaN(p)).ToArray();
        var adjusted = HolmCorrection.Adjust([.. tested.Select(x => x.cell!.PValue!.Value)]);
        var cells = rows.Select(row => row.Cells.ToArray()).ToArray();
        for (var i = 0; i < tested.Length; i++)
        {
            cells[tested[i].r][tested[i].c] = tested[i].cell! with { HolmPValue = adjusted[i], Significant = adjusted[i] < PairedComparison.Alpha };
        }

        return [.. rows.Select((row, r) => row with { Cells = cells[r] })];
    }

    /// <summary>How many comparisons the Holm correction of a table covers.</summary>
    private static int Comparisons(ScoreTable table) => table.Rows.Sum(r => r.Cells.Count(c => c?.HolmPValue is not null));

    public static string Markdown(StudyReportData data)
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant, $"# Study: {data.Study.Name}");
        md.AppendLine();
        md.AppendLine(Invariant, $"{data.Cells.Count} cells finished. {Legend(data)}");
        foreach (var table in Tables(data))
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"## {table.Task}{(table.Model.Length > 0 ? " — " + table.Model : "")}");
            md.AppendLine();
            md.AppendLine("| setting | " + string.Join(" | ", table.Languages) + " |");
            md.AppendLine("|---|" + string.Concat(table.Languages.Select(_ => "---|")));
            foreach (var row in table.Rows)
            {
                md.AppendLine("| " + row.Label + " | " + string.Join(" | ", row.Cells.Select(FormatCell)) + " |");
            }

            if (table.LlmRows.Count > 0)
            {
                md.AppendLine();
                md.AppendLine(LlmLegend(data));
                md.AppendLine();
                md.AppendLine("| LLM as classifier | " + string.Join(" | ", table.Languages) + " |");
                md.AppendLine("|---|" + string.Concat(table.Languages.Select(_ => "---|")));
                foreach (var row in table.LlmRows)
                {
                    md.AppendLine("| " + row.Label + " | " + string.Join(" | ", row.Cells.Select(FormatCell)) + " |");
                }
            }

            if (Comparisons(table) > 0)
            {
                md.AppendLine();
                md.AppendLine(Invariant, $"p-values of the gaps (paired t over seeds): uncorrected, and after Holm over the {Comparisons(table)} comparisons of this table.");
                md.AppendLine();
                md.AppendLine("| setting | " + string.Join(" | ", table.Languages) + " |");
                md.AppendLine("|---|" + string.Concat(table.Languages.Select(_ => "---|")));
                foreach (var row in table.Rows.Where(r => r.Setting != "gold"))
                {
                    md.AppendLine("| " + row.Label + " | " + string.Join(" | ", row.Cells.Select(c => c?.PValue is { } p
                        ? string.Create(Invariant, $"{p:0.0000} (Holm {c.HolmPValue:0.0000})")
                        : "–")) + " |");
                }
            }
        }

        AnswerTables.AppendMarkdown(md, data);
        LearningCurves.AppendMarkdown(md, data);

        var shortfalls = Shortfalls(data).ToArray();
        if (shortfalls.Length > 0)
        {
            md.AppendLine();
            md.AppendLine("## Shortfalls");
            md.AppendLine();
            md.AppendLine(Invariant, $"Cells with fewer examples per class than asked ({data.Study.PerClass}); their scores are of the smaller set, not a full one.");
            md.AppendLine();
            md.AppendLine("| cell | kind | per class | short classes |");
            md.AppendLine("|---|---|---|---|");
            foreach (var cell in shortfalls)
            {
                md.AppendLine(Invariant, $"| {CellName(cell)} | {cell.Kind} | {cell.Counts!.Describe()} | {cell.Counts.DescribeShortClasses()} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Usage per model");
        md.AppendLine();
        md.AppendLine("| model | cells | LLM tokens | elapsed (s) | cell time, summed (s) |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var usage in Usage(data))
        {
            md.AppendLine(Invariant, $"| {usage.Model} | {usage.Cells} | {usage.LlmTokens} | {usage.ElapsedSeconds:F1} | {usage.CellSeconds:F1} |");
        }

        return md.ToString();
    }

    internal static string FormatCell(ScoreCell? cell) => cell is null
        ? "–"
        : new MeanStd(cell.Mean, cell.Std, 2).ToPoints(oneDistinctDraw: cell.Counts?.OneDistinctDraw == true)
            + (cell.GapPoints is { } gap ? string.Create(Invariant, $" ({gap:+0.0;-0.0}{(cell.Significant ? "*" : "")})") : "")
            + (cell.IsShort ? $" ⚠ {cell.Counts!.Describe()}/class" : "");

    internal static string LlmLegend(StudyReportData data) =>
        "The LLM as a classifier, in a block of its own: macro-F1 (%), mean ± std over its seeds; in brackets the gap in points to gold " +
        $"({StudyRecords.Students(data)[0]}) scored on the same test items " +
        (data.Study.LlmClassificationLimit > 0 ? $"(the at most {data.Study.LlmClassificationLimit} items each LLM cell classified; no gap where those are not known)" : "(the whole test set)") +
        "; not tested, and outside the Holm family of the table above.";

    internal static string Legend(StudyReportData data) =>
        $"Macro-F1 (%) of {(StudyRecords.Students(data) is { Count: > 1 } students ? "each student (" + string.Join(", ", students) + ", in brackets after the setting)" : "the student (" + StudyRecords.Students(data)[0] + ")")} " +
        $"trained on at most {data.Study.PerClass} examples per class{(data.Study.IsLearningCurve ? " (the largest size of the learning curve)" : "")}, mean ± std over seeds; " +
        "in brackets the gap to gold in points, `*` where p < 0.05 after a Holm correction over all gaps of the table (paired t over seeds; " +
        "uncorrected p below each table). ⚠ marks a cell that trained on fewer per class than asked, with the counts used; " +
        $"\"{MeanStd.OneDistinctDrawNote}\" stands for a zero std from seeds that all drew the same training set.";

    /// <summary>Cells that ended with fewer examples per class than asked: generation below its quota, evaluation below per_class.</summary>
    public static IEnumerable<CellRecord> Shortfalls(StudyReportData data) =>
        data.Cells.Where(c => c.IsShort && c.Kind != CellKind.Classify).OrderBy(CellName, StringComparer.Ordinal);

    internal static string CellName(CellRecord cell) =>
        string.Join(" ", new[] { cell.Task, cell.Language, cell.Model, cell.Setting }.Where(p => !string.IsNullOrEmpty(p)));

    /// <summary>Per model: cells, tokens, elapsed wall time (concurrent cells counted once) and the cells' summed time.</summary>
    internal sealed record ModelUsage(string Model, int Cells, long LlmTokens, double ElapsedSeconds, double CellSeconds);

    internal static IEnumerable<ModelUsage> Usage(StudyReportData data) =>
        data.Cells.GroupBy(c => c.Model ?? "(default classifier)").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ModelUsage(g.Key, g.Count(), g.Sum(c => c.LlmTokens), ElapsedSeconds(g), g.Sum(c => c.WallSeconds)));

    /// <summary>The length of the union of the cells' [finish - wall, finish] intervals: cells that ran at once count once.</summary>
    public static double ElapsedSeconds(IEnumerable<CellRecord> cells)
    {
        var total = 0.0;
        var (start, end) = (double.NegativeInfinity, double.NegativeInfinity);
        foreach (var (from, to) in cells.Select(c => (c.FinishedUtc.ToUnixTimeMilliseconds() / 1000.0 - c.WallSeconds, c.FinishedUtc.ToUnixTimeMilliseconds() / 1000.0))
                     .OrderBy(i => i.Item1))
        {
            if (from > end)
            {
                total += double.IsNegativeInfinity(end) ? 0 : end - start;
                (start, end) = (from, to);
            }
            else
            {
                end = Math.Max(end, to);
            }
        }

        return total + (double.IsNegativeInfinity(end) ? 0 : end - start);
    }

    /// <summary>The report's HTML; the examples it pages through are in <see cref="ExampleChunks"/>, written beside it.</summary>
    public static string Html(StudyReportData data, string? htmlDirectory = null) => StudyReportHtml.Render(data, htmlDirectory);

    /// <summary>The examples grouped per generation cell (task, language, model, strategy), in order of appearance.</summary>
    public static IReadOnlyList<ExampleChunk> ExampleChunks(StudyReportData data) =>
        [.. data.Examples.GroupBy(e => (e.Task, e.Language, e.Model, e.Strategy))
            .Select((g, i) => new ExampleChunk(i, g.Key.Task, g.Key.Language, g.Key.Model, g.Key.Strategy, [.. g]))];
}
