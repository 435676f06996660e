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
    IReadOnlyDictionary<string, string> ConfusionMatrixPngs,
    Func<IReadOnlyList<double>, IReadOnlyList<double>, double>? PairedPValue = null);

/// <summary>
/// Writes a study's report as one self-contained HTML file (styles, images and script inline, so it can be mailed or
/// archived) and as Markdown: mean ± std per language and setting for each task and model, the gap to gold with
/// significance marks, a heatmap of gaps, confusion matrices, token usage and wall time, and the generated examples.
/// </summary>
public static class StudyReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task WriteAsync(StudyReportData data, string htmlPath, string markdownPath, CancellationToken cancellationToken)
    {
        await AtomicFile.WriteAllTextAsync(htmlPath, Html(data), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(markdownPath, Markdown(data), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A table for one task and model: rows are settings, columns languages, cells the scores over seeds.</summary>
    public sealed record ScoreTable(string Task, string Model, IReadOnlyList<string> Languages, IReadOnlyList<ScoreRow> Rows);

    public sealed record ScoreRow(string Setting, IReadOnlyList<ScoreCell?> Cells);

    /// <summary>
    /// Mean and std of macro-F1 over seeds, the gap to gold in points, its paired p-value over seeds (uncorrected) and
    /// after the Holm correction over every comparison of the table, whether that corrected p is below 0.05, and the
    /// examples per class the cell trained on (null in stores written before counts were kept).
    /// </summary>
    public sealed record ScoreCell(double Mean, double Std, double? GapPoints, bool Significant, double? PValue = null, double? HolmPValue = null,
        ClassCounts? Counts = null)
    {
        public bool IsShort => Counts?.IsShort == true;
    }

    public static IReadOnlyList<ScoreTable> Tables(StudyReportData data)
    {
        var languages = data.Study.Languages.Select(l => LowResGen.Data.LanguageRegistry.Default.Resolve(l).Iso1).ToArray();
        var scored = data.Cells.Where(c => c.Scores.Count > 0).ToArray();
        var tables = new List<ScoreTable>();
        foreach (var task in data.Study.Tasks)
        {
            var models = scored.Where(c => c.Task == task && c.Model is not null).Select(c => c.Model!).Distinct().Order(StringComparer.Ordinal).ToList();
            if (models.Count == 0)
            {
                models.Add("");
            }

            foreach (var model in models)
            {
                var settings = new List<string> { "gold" };
                // Settings without a model (transfer, few-gold:k) are rows of every model's table, like gold.
                settings.AddRange(scored.Where(c => c.Task == task && c.Kind != CellKind.Gold && (c.Model == model || c.Model is null))
                    .Select(c => c.Setting).Distinct().Order(StringComparer.Ordinal));
                var rows = settings.Select(setting => new ScoreRow(setting, languages.Select(language =>
                {
                    var cell = scored.FirstOrDefault(c => c.Task == task && c.Language == language && c.Setting == setting && (c.Model is null || c.Model == model));
                    var gold = scored.FirstOrDefault(c => c.Task == task && c.Language == language && c.Kind == CellKind.Gold);
                    return cell is null ? null : Score(cell, setting == "gold" ? null : gold, data.PairedPValue);
                }).ToArray())).ToArray();
                tables.Add(new ScoreTable(task, model, languages, HolmCorrected(rows)));
            }
        }

        return tables;
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
        return new ScoreCell(f1.Mean, f1.Std, gap, false, p, null, cell.Counts);
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
                md.AppendLine("| " + row.Setting + " | " + string.Join(" | ", row.Cells.Select(FormatCell)) + " |");
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
                    md.AppendLine("| " + row.Setting + " | " + string.Join(" | ", row.Cells.Select(c => c?.PValue is { } p
                        ? string.Create(Invariant, $"{p:0.0000} (Holm {c.HolmPValue:0.0000})")
                        : "–")) + " |");
                }
            }
        }

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
        md.AppendLine("| model | cells | LLM tokens | wall time (s) |");
        md.AppendLine("|---|---|---|---|");
        foreach (var usage in Usage(data))
        {
            md.AppendLine(Invariant, $"| {usage.Model} | {usage.Cells} | {usage.LlmTokens} | {usage.WallSeconds:F1} |");
        }

        return md.ToString();
    }

    private static string FormatCell(ScoreCell? cell) => cell is null
        ? "–"
        : new MeanStd(cell.Mean, cell.Std, 2).ToPoints(oneDistinctDraw: cell.Counts?.OneDistinctDraw == true)
            + (cell.GapPoints is { } gap ? string.Create(Invariant, $" ({gap:+0.0;-0.0}{(cell.Significant ? "*" : "")})") : "")
            + (cell.IsShort ? $" ⚠ {cell.Counts!.Describe()}/class" : "");

    private static string Legend(StudyReportData data) =>
        $"Macro-F1 (%) of the default classifier ({data.Study.Classifier}) trained on at most {data.Study.PerClass} examples per class, mean ± std over seeds; " +
        "in brackets the gap to gold in points, `*` where p < 0.05 after a Holm correction over all gaps of the table (paired t over seeds; " +
        "uncorrected p below each table). ⚠ marks a cell that trained on fewer per class than asked, with the counts used; " +
        $"\"{MeanStd.OneDistinctDrawNote}\" stands for a zero std from seeds that all drew the same training set.";

    /// <summary>Cells that ended with fewer examples per class than asked: generation below its quota, evaluation below per_class.</summary>
    public static IEnumerable<CellRecord> Shortfalls(StudyReportData data) =>
        data.Cells.Where(c => c.IsShort && c.Kind != CellKind.Classify).OrderBy(CellName, StringComparer.Ordinal);

    private static string CellName(CellRecord cell) =>
        string.Join(" ", new[] { cell.Task, cell.Language, cell.Model, cell.Setting }.Where(p => !string.IsNullOrEmpty(p)));

    private sealed record ModelUsage(string Model, int Cells, long LlmTokens, double WallSeconds);

    private static IEnumerable<ModelUsage> Usage(StudyReportData data) =>
        data.Cells.GroupBy(c => c.Model ?? "(default classifier)").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ModelUsage(g.Key, g.Count(), g.Sum(c => c.LlmTokens), g.Sum(c => c.WallSeconds)));

    public static string Html(StudyReportData data)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine(Invariant, $"<title>LowResGen study: {E(data.Study.Name)}</title>");
        html.AppendLine("""
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
            th:first-child,td:first-child{text-align:left}
            td.sig{font-weight:bold}
            .short{background:#fff3cd}
            .examples td,.examples th{text-align:left;max-width:40em}
            .heat td{color:#000}
            img.cm{max-width:420px;margin:4px;border:1px solid #ddd}
            </style></head><body>
            """);
        html.AppendLine(Invariant, $"<h1>Study: {E(data.Study.Name)}</h1>");
        html.AppendLine(Invariant, $"<p id=\"summary\">{data.Cells.Count} cells finished. {E(Legend(data))} Bold: significant after Holm.</p>");

        foreach (var table in Tables(data))
        {
            var title = table.Task + (table.Model.Length > 0 ? " — " + table.Model : "");
            html.AppendLine(Invariant, $"<h2>{E(title)}</h2><table class=\"scores\"><tr><th>setting</th>");
            foreach (var language in table.Languages)
            {
                html.Append(Invariant, $"<th>{E(language)}</th>");
            }

            html.AppendLine("</tr>");
            foreach (var row in table.Rows)
            {
                html.Append(Invariant, $"<tr><td>{E(row.Setting)}</td>");
                foreach (var cell in row.Cells)
                {
                    var classes = string.Join(" ", new[] { cell?.Significant == true ? "sig" : null, cell?.IsShort == true ? "short" : null }.OfType<string>());
                    var tip = cell?.PValue is { } p ? string.Create(Invariant, $" title=\"p = {p:0.0000} uncorrected, {cell.HolmPValue:0.0000} after Holm\"") : "";
                    html.Append(Invariant, $"<td{(classes.Length > 0 ? $" class=\"{classes}\"" : "")}{tip}>{E(FormatCell(cell))}</td>");
                }

                html.AppendLine("</tr>");
            }

            html.AppendLine("</table>");

            // Heatmap of the gap to gold: red below gold, green above, intensity by size (capped at 20 points).
            html.AppendLine(Invariant, $"<h3>Gap to gold (points), {E(title)}</h3><table class=\"heat\"><tr><th>setting</th>");
            foreach (var language in table.Languages)
            {
                html.Append(Invariant, $"<th>{E(language)}</th>");
            }

            html.AppendLine("</tr>");
            foreach (var row in table.Rows.Where(r => r.Setting != "gold"))
            {
                html.Append(Invariant, $"<tr><td>{E(row.Setting)}</td>");
                foreach (var cell in row.Cells)
                {
                    if (cell?.GapPoints is not { } gap)
                    {
                        html.Append("<td>–</td>");
                        continue;
                    }

                    var intensity = Math.Min(1, Math.Abs(gap) / 20);
                    var (r, g) = gap < 0 ? (255, (int)(255 * (1 - intensity))) : ((int)(255 * (1 - intensity)), 255);
                    var b = (int)(255 * (1 - intensity));
                    html.Append(Invariant, $"<td style=\"background:rgb({r},{g},{b})\">{gap:+0.0;-0.0}</td>");
                }

                html.AppendLine("</tr>");
            }

            html.AppendLine("</table>");
        }

        var shortfalls = Shortfalls(data).ToArray();
        if (shortfalls.Length > 0)
        {
            html.AppendLine(Invariant, $"<h2 id=\"shortfalls\">Shortfalls: {shortfalls.Length} cells below {data.Study.PerClass} per class</h2><table class=\"shortfalls\"><tr><th>cell</th><th>kind</th><th>per class</th><th>short classes</th></tr>");
            foreach (var cell in shortfalls)
            {
                html.AppendLine(Invariant, $"<tr class=\"short\"><td>{E(CellName(cell))}</td><td>{cell.Kind}</td><td>{E(cell.Counts!.Describe())}</td><td>{E(cell.Counts.DescribeShortClasses())}</td></tr>");
            }

            html.AppendLine("</table>");
        }

        html.AppendLine("<h2>Usage per model</h2><table class=\"usage\"><tr><th>model</th><th>cells</th><th>LLM tokens</th><th>wall time (s)</th></tr>");
        foreach (var usage in Usage(data))
        {
            html.AppendLine(Invariant, $"<tr><td>{E(usage.Model)}</td><td>{usage.Cells}</td><td>{usage.LlmTokens}</td><td>{usage.WallSeconds:F1}</td></tr>");
        }

        html.AppendLine("</table>");

        if (data.ConfusionMatrixPngs.Count > 0)
        {
            html.AppendLine("<h2>Confusion matrices (seed 0)</h2><div>");
            foreach (var (name, path) in data.ConfusionMatrixPngs.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (File.Exists(path))
                {
                    html.AppendLine(Invariant, $"<figure style=\"display:inline-block\"><img class=\"cm\" alt=\"{E(name)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\"><figcaption>{E(name)}</figcaption></figure>");
                }
            }

            html.AppendLine("</div>");
        }

        html.AppendLine(Invariant, $"<h2>Generated examples</h2><p><input id=\"filter\" placeholder=\"filter (text, label, language, strategy, verdict)\" size=\"60\"> <span id=\"shown\">{data.Examples.Count}</span> of {data.Examples.Count} shown</p>");
        html.AppendLine("<table class=\"examples\" id=\"examples\"><tr><th>task</th><th>lang</th><th>model</th><th>strategy</th><th>label</th><th>text</th><th>verdict</th><th>detail</th></tr>");
        foreach (var example in data.Examples)
        {
            html.AppendLine(Invariant, $"<tr><td>{E(example.Task)}</td><td>{E(example.Language)}</td><td>{E(example.Model)}</td><td>{E(example.Strategy)}</td><td>{E(example.Label)}</td><td>{E(example.Text)}</td><td>{E(example.Verdict)}</td><td>{E(example.Detail)}</td></tr>");
        }

        html.AppendLine("</table>");
        html.AppendLine("""
            <script>
            (function () {
              var input = document.getElementById('filter');
              var rows = Array.prototype.slice.call(document.querySelectorAll('#examples tr')).slice(1);
              function apply() {
                var q = input.value.toLowerCase(), shown = 0;
                rows.forEach(function (row) {
                  var match = row.textContent.toLowerCase().indexOf(q) >= 0;
                  row.style.display = match ? '' : 'none';
                  if (match) shown++;
                });
                document.getElementById('shown').textContent = shown;
              }
              input.addEventListener('input', apply);
              var initial = new URLSearchParams(location.search).get('filter');
              if (initial) { input.value = initial; }
              apply();
              document.body.setAttribute('data-ready', 'yes');
            })();
            </script>
            </body></html>
            """);
        return html.ToString();
    }
}
