using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LowResGen.Experiments;
using static LowResGen.Reporting.StudyReportWriter;

namespace LowResGen.Reporting;

/// <summary>The HTML of a study report: tables, SVG charts and the paged example browser (its data in report-data/).</summary>
internal static class StudyReportHtml
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Examples per page of the browser.</summary>
    public const int PageSize = 100;

    private static string E(string s) => WebUtility.HtmlEncode(s);

    public static string Render(StudyReportData data, string? htmlDirectory)
    {
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
            .examples{table-layout:fixed;width:100%}
            .examples td,.examples th{text-align:left;vertical-align:top;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
            .examples th{cursor:pointer;user-select:none}
            .examples .filters input{width:95%}
            .heat td{color:#000}
            .legend{font-size:90%;color:#444}
            figure.cm{display:inline-block;margin:6px;vertical-align:top}
            figure.cm img{width:420px;border:1px solid #ddd;cursor:zoom-in}
            figure.cm img.zoomed{width:auto;max-width:none;cursor:zoom-out}
            </style></head><body>
            """);
        html.AppendLine(Invariant, $"<h1>Study: {E(data.Study.Name)}</h1>");
        html.AppendLine(Invariant, $"<p id=\"summary\">{data.Cells.Count} cells finished. {E(Legend(data))} Bold: significant after Holm; hover a cell for its p-values.</p>");

        foreach (var table in Tables(data))
        {
            AppendTable(html, table, data);
        }

        AppendAnswers(html, data);
        AppendCurves(html, data);

        AppendShortfalls(html, data);
        AppendFunnels(html, data);
        AppendUsage(html, data);
        AppendConfusion(html, data, htmlDirectory);
        AppendExamples(html, data);
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>The language columns' headers, closing the header row (the students' and the LLM block's tables share them).</summary>
    private static void AppendLanguageHeaders(StringBuilder html, IEnumerable<string> languages)
    {
        foreach (var language in languages)
        {
            html.Append(Invariant, $"<th>{E(language)}</th>");
        }

        html.AppendLine("</tr>");
    }

    private static void AppendTable(StringBuilder html, ScoreTable table, StudyReportData data)
    {
        var title = table.Task + (table.Model.Length > 0 ? " — " + table.Model : "");
        html.AppendLine(Invariant, $"<h2>{E(title)}</h2><table class=\"scores\"><tr><th>setting</th>");
        AppendLanguageHeaders(html, table.Languages);
        foreach (var row in table.Rows)
        {
            html.Append(Invariant, $"<tr><td>{E(row.Label)}</td>");
            foreach (var cell in row.Cells)
            {
                var classes = string.Join(" ", new[] { cell?.Significant == true ? "sig" : null, cell?.IsShort == true ? "short" : null }.OfType<string>());
                var tip = cell?.PValue is { } p ? string.Create(Invariant, $" title=\"p = {p:0.0000} uncorrected, {cell.HolmPValue:0.0000} after Holm\"") : "";
                html.Append(Invariant, $"<td{(classes.Length > 0 ? $" class=\"{classes}\"" : "")}{tip}>{E(FormatCell(cell))}</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</table>");
        if (table.LlmRows.Count > 0)
        {
            html.AppendLine(Invariant, $"<p class=\"legend\">{E(LlmLegend(data))}</p><table class=\"scores llm\"><tr><th>LLM as classifier</th>");
            AppendLanguageHeaders(html, table.Languages);
            foreach (var row in table.LlmRows)
            {
                html.Append(Invariant, $"<tr><td>{E(row.Label)}</td>");
                foreach (var cell in row.Cells)
                {
                    html.Append(Invariant, $"<td>{E(FormatCell(cell))}</td>");
                }

                html.AppendLine("</tr>");
            }

            html.AppendLine("</table>");
        }

        AppendGapChart(html, table, title);
        AppendHeatmap(html, table, title);
    }

    private static void AppendAnswers(StringBuilder html, StudyReportData data)
    {
        var tables = AnswerTables.Of(data);
        if (tables.Count == 0)
        {
            return;
        }

        html.AppendLine(Invariant, $"<h2 id=\"answers\">What to do for each language</h2><p class=\"legend\">{E(AnswerTables.Legend)}</p>");
        foreach (var table in tables)
        {
            html.AppendLine(Invariant, $"<h3>{E(table.Task)} — {E(table.Language)}</h3><table class=\"answers\"><tr><th>rank</th><th>setting</th><th>student</th><th>accuracy (%)</th><th>95 % CI</th><th>p vs best (Holm)</th><th>LLM calls</th><th>LLM tokens</th></tr>");
            foreach (var row in table.Rows)
            {
                html.AppendLine(Invariant, $"<tr{(row.IsBest ? " class=\"sig\"" : "")}><td>{row.Rank}</td><td>{E(row.Label)}</td><td>{E(row.Student)}</td><td>{row.Accuracy.Mean * 100:0.0}{(row.Significant ? "*" : "")}</td><td>[{row.Low * 100:0.0}, {row.High * 100:0.0}]</td><td>{E(AnswerTables.PText(row))}</td><td>{(row.LlmCalls is { } calls ? calls.ToString(Invariant) : "–")}</td><td>{row.LlmTokens}</td></tr>");
            }

            html.AppendLine("</table>");
        }

        html.AppendLine("<h3>Over languages</h3><table class=\"answers-summary\"><tr><th>task</th><th>setting</th><th>mean rank</th><th>mean accuracy (%)</th><th>languages</th><th>best or tied</th></tr>");
        foreach (var row in AnswerTables.Summary(tables))
        {
            html.AppendLine(Invariant, $"<tr><td>{E(row.Task)}</td><td>{E(row.Label)}</td><td>{row.MeanRank:0.0#}</td><td>{row.MeanAccuracy * 100:0.0}</td><td>{row.Languages}</td><td>{row.BestOrTied}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    /// <summary>Per task, language and student: accuracy against training size (log scale), one line per setting, 95 % CI whiskers.</summary>
    private static void AppendCurves(StringBuilder html, StudyReportData data)
    {
        var curves = LearningCurves.Of(data);
        if (curves.Count == 0)
        {
            return;
        }

        html.AppendLine("<h2 id=\"curves\">Learning curves</h2><p class=\"legend\">Accuracy (%) against training examples per class (log scale), mean over seeds; whiskers: 95 % bootstrap confidence interval over seeds. Sizes are nested draws of the same seed; generation ran once at the largest size. The read-off places each accuracy on the gold curve (first crossing, linear in log size).</p>");
        var palette = new[] { "#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
        foreach (var curve in curves)
        {
            var points = curve.Lines.SelectMany(l => l.Points).ToArray();
            var (minX, maxX) = (Math.Log(points.Min(p => p.PerClass)), Math.Log(points.Max(p => p.PerClass)));
            var (minY, maxY) = (points.Min(p => p.Low), points.Max(p => p.High));
            const double width = 460, height = 240, left = 50, top = 15;
            double X(int n) => left + ((Math.Log(n) - minX) / Math.Max(1e-9, maxX - minX) * (width - left - 20));
            double Y(double v) => top + ((maxY - v) / Math.Max(1e-9, maxY - minY) * height);
            var svg = new StringBuilder();
            svg.Append(Invariant, $"<svg class=\"curve\" width=\"{width:F0}\" height=\"{height + top + 35:F0}\" role=\"img\" aria-label=\"learning curve {E(curve.Task)} {E(curve.Language)} {E(curve.Student)}\">");
            svg.Append(Invariant, $"<text x=\"{left - 5}\" y=\"{Y(maxY) + 4:F1}\" text-anchor=\"end\" font-size=\"10\">{maxY * 100:0}</text><text x=\"{left - 5}\" y=\"{Y(minY) + 4:F1}\" text-anchor=\"end\" font-size=\"10\">{minY * 100:0}</text>");
            foreach (var n in points.Select(p => p.PerClass).Distinct())
            {
                svg.Append(Invariant, $"<text x=\"{X(n):F1}\" y=\"{height + top + 15:F0}\" text-anchor=\"middle\" font-size=\"10\">{n}</text>");
            }

            for (var l = 0; l < curve.Lines.Count; l++)
            {
                var line = curve.Lines[l];
                var colour = palette[l % palette.Length];
                var ordered = line.Points.OrderBy(p => p.PerClass).ToArray();
                svg.Append(Invariant, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{string.Join(' ', ordered.Select(p => string.Create(Invariant, $"{X(p.PerClass):F1},{Y(p.Mean):F1}")))}\"/>");
                foreach (var p in ordered)
                {
                    svg.Append(Invariant, $"<line x1=\"{X(p.PerClass):F1}\" x2=\"{X(p.PerClass):F1}\" y1=\"{Y(p.Low):F1}\" y2=\"{Y(p.High):F1}\" stroke=\"{colour}\"/><circle cx=\"{X(p.PerClass):F1}\" cy=\"{Y(p.Mean):F1}\" r=\"2.5\" fill=\"{colour}\"><title>{E(line.Label)} at {p.PerClass}/class: {p.Mean * 100:0.0} % [{p.Low * 100:0.0}, {p.High * 100:0.0}]</title></circle>");
                }
            }

            svg.Append("</svg>");
            html.AppendLine(Invariant, $"<h3>{E(curve.Task)} — {E(curve.Language)} — {E(curve.Student)}</h3>{svg}");
            html.Append("<p class=\"legend\">");
            for (var l = 0; l < curve.Lines.Count; l++)
            {
                html.Append(Invariant, $"<span style=\"color:{palette[l % palette.Length]}\">■</span> {E(curve.Lines[l].Label)} ");
            }

            html.AppendLine("</p>");
            var readOff = LearningCurves.ReadOff(curve);
            if (readOff.Count > 0)
            {
                html.AppendLine("<ul class=\"readoff\">" + string.Concat(readOff.Select(r => $"<li>{E(r.Describe())}</li>")) + "</ul>");
            }
        }
    }

    private static bool IsLlm(string setting) => setting.StartsWith("llm-", StringComparison.Ordinal);

    /// <summary>Per language, each setting's mean gap to gold as a bar with its 95 % bootstrap interval over seeds.</summary>
    private static void AppendGapChart(StringBuilder html, ScoreTable table, string title)
    {
        var rows = table.Rows.Where(r => r.Setting != "gold").ToArray();
        var values = rows.SelectMany(r => r.Cells).Where(c => c?.GapPoints is not null)
            .SelectMany(c => new[] { c!.GapPoints!.Value, c.GapInterval?.Low ?? 0, c.GapInterval?.High ?? 0 }).ToArray();
        if (values.Length == 0)
        {
            return;
        }

        var (min, max) = (Math.Min(0, values.Min()), Math.Max(0, values.Max()));
        const double height = 220, top = 20, barWidth = 10, gapBetween = 18;
        var group = (rows.Length * barWidth) + gapBetween;
        var width = 60 + (table.Languages.Count * group);
        double Y(double v) => top + ((max - v) / Math.Max(1e-9, max - min) * height);
        var palette = new[] { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg class=\"gapchart\" width=\"{width:F0}\" height=\"{height + top + 40:F0}\" role=\"img\" aria-label=\"gap to gold, {E(title)}\">");
        svg.Append(Invariant, $"<line x1=\"50\" x2=\"{width:F0}\" y1=\"{Y(0):F1}\" y2=\"{Y(0):F1}\" stroke=\"#000\"/>");
        svg.Append(Invariant, $"<text x=\"45\" y=\"{Y(max) + 4:F1}\" text-anchor=\"end\" font-size=\"10\">{max:+0.0;-0.0;0}</text><text x=\"45\" y=\"{Y(min) + 4:F1}\" text-anchor=\"end\" font-size=\"10\">{min:+0.0;-0.0;0}</text>");
        for (var l = 0; l < table.Languages.Count; l++)
        {
            var x0 = 55 + (l * group);
            svg.Append(Invariant, $"<text x=\"{x0 + (rows.Length * barWidth / 2):F1}\" y=\"{height + top + 15:F0}\" text-anchor=\"middle\" font-size=\"11\">{E(table.Languages[l])}</text>");
            for (var r = 0; r < rows.Length; r++)
            {
                if (rows[r].Cells[l] is not { GapPoints: { } gap } cell)
                {
                    continue;
                }

                var x = x0 + (r * barWidth);
                svg.Append(Invariant, $"<rect x=\"{x:F1}\" y=\"{Math.Min(Y(gap), Y(0)):F1}\" width=\"{barWidth - 1}\" height=\"{Math.Abs(Y(gap) - Y(0)):F1}\" fill=\"{palette[r % palette.Length]}\"><title>{E(rows[r].Label)} {E(table.Languages[l])}: {gap:+0.0;-0.0} points{(cell.GapInterval is { } ci ? string.Create(Invariant, $", 95 % CI [{ci.Low:+0.0;-0.0}, {ci.High:+0.0;-0.0}]") : "")}</title></rect>");
                if (cell.GapInterval is { } interval)
                {
                    var cx = x + ((barWidth - 1) / 2);
                    svg.Append(Invariant, $"<line x1=\"{cx:F1}\" x2=\"{cx:F1}\" y1=\"{Y(interval.Low):F1}\" y2=\"{Y(interval.High):F1}\" stroke=\"#000\"/>");
                }
            }
        }

        svg.Append("</svg>");
        html.AppendLine(Invariant, $"<h3>Gap to gold (points), {E(title)}</h3>{svg}");
        html.Append("<p class=\"legend\">Bars: mean gap to gold over seeds; whiskers: 95 % bootstrap confidence interval over seeds (paired by seed). ");
        for (var r = 0; r < rows.Length; r++)
        {
            html.Append(Invariant, $"<span style=\"color:{palette[r % palette.Length]}\">■</span> {E(rows[r].Label)} ");
        }

        html.AppendLine("</p>");
    }

    /// <summary>Gaps coloured on a diverging scale centred on zero: strategies scaled to their largest gap, LLM rows to theirs.</summary>
    private static void AppendHeatmap(StringBuilder html, ScoreTable table, string title)
    {
        double Scale(bool llm) => table.Rows.Where(r => r.Setting != "gold" && IsLlm(r.Setting) == llm)
            .SelectMany(r => r.Cells).Select(c => c?.GapPoints is { } g ? Math.Abs(g) : 0).DefaultIfEmpty(0).Max() is var m && m > 0 ? m : 1;
        var scales = new Dictionary<bool, double> { [false] = Scale(false), [true] = Scale(true) };
        html.AppendLine(Invariant, $"<h3>Heatmap of the gap to gold (points), {E(title)}</h3><table class=\"heat\"><tr><th>setting</th>");
        foreach (var language in table.Languages)
        {
            html.Append(Invariant, $"<th>{E(language)}</th>");
        }

        html.AppendLine("</tr>");
        foreach (var row in table.Rows.Where(r => r.Setting != "gold"))
        {
            html.Append(Invariant, $"<tr><td>{E(row.Label)}</td>");
            foreach (var cell in row.Cells)
            {
                html.Append(cell?.GapPoints is { } gap
                    ? string.Create(Invariant, $"<td style=\"background:{Colour(gap / scales[IsLlm(row.Setting)])}\">{gap:+0.0;-0.0}</td>")
                    : "<td>–</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</table>");
        html.Append(Invariant, $"<p class=\"legend\">Colour centred on 0 (white): red below gold, green above; full colour at ±{scales[false]:F1} points for the strategies");
        if (table.Rows.Any(r => IsLlm(r.Setting)))
        {
            html.Append(Invariant, $", at ±{scales[true]:F1} points for the LLM-as-classifier rows (their own scale)");
        }

        html.Append(". <span style=\"display:inline-block;width:160px;height:12px;vertical-align:middle;background:linear-gradient(to right,")
            .Append(Colour(-1)).Append(',').Append(Colour(0)).Append(',').Append(Colour(1)).AppendLine(")\"></span></p>");
    }

    /// <summary>-1 full red, 0 white, +1 full green.</summary>
    private static string Colour(double share)
    {
        var intensity = Math.Clamp(Math.Abs(share), 0, 1);
        var fade = (int)Math.Round(255 * (1 - (0.75 * intensity)));
        return share < 0 ? $"rgb(255,{fade},{fade})" : $"rgb({fade},255,{fade})";
    }

    private static void AppendShortfalls(StringBuilder html, StudyReportData data)
    {
        var shortfalls = Shortfalls(data).ToArray();
        if (shortfalls.Length == 0)
        {
            return;
        }

        html.AppendLine(Invariant, $"<h2 id=\"shortfalls\">Shortfalls: {shortfalls.Length} cells below {data.Study.PerClass} per class</h2><table class=\"shortfalls\"><tr><th>cell</th><th>kind</th><th>per class</th><th>short classes</th></tr>");
        foreach (var cell in shortfalls)
        {
            html.AppendLine(Invariant, $"<tr class=\"short\"><td>{E(CellName(cell))}</td><td>{cell.Kind}</td><td>{E(cell.Counts!.Describe())}</td><td>{E(cell.Counts.DescribeShortClasses())}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    private static void AppendFunnels(StringBuilder html, StudyReportData data)
    {
        if (data.Funnels.Count == 0)
        {
            return;
        }

        var stages = data.Funnels[0].Stages.Select(s => s.Stage).ToArray();
        html.AppendLine("<h2>Acceptance funnel per generation cell</h2><p class=\"legend\">Candidates entering each stage in order, and how many passed it (share in brackets); the last column is what was kept.</p>");
        html.Append("<table class=\"funnel\"><tr><th>cell</th><th>candidates</th>");
        foreach (var stage in stages)
        {
            html.Append(Invariant, $"<th>{E(stage)}</th>");
        }

        html.AppendLine("</tr>");
        foreach (var funnel in data.Funnels)
        {
            var name = string.Join(" ", new[] { funnel.Task, funnel.Language, funnel.Model, funnel.Strategy }.Where(p => p.Length > 0));
            html.Append(Invariant, $"<tr><td>{E(name)}</td><td>{(funnel.Stages.Count == 0 ? 0 : funnel.Stages[0].Entered)}</td>");
            foreach (var stage in funnel.Stages)
            {
                html.Append(Invariant, $"<td>{stage.Passed} ({stage.PassRate:P0})</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</table>");
    }

    private static void AppendUsage(StringBuilder html, StudyReportData data)
    {
        html.AppendLine("<h2>Usage per model</h2><p class=\"legend\">Elapsed: wall-clock time during which the model's cells ran (concurrent cells counted once); cell time: the cells' times added up.</p>");
        html.AppendLine("<table class=\"usage\"><tr><th>model</th><th>cells</th><th>LLM tokens</th><th>elapsed (s)</th><th>cell time, summed (s)</th></tr>");
        foreach (var usage in Usage(data))
        {
            html.AppendLine(Invariant, $"<tr><td>{E(usage.Model)}</td><td>{usage.Cells}</td><td>{usage.LlmTokens}</td><td>{usage.ElapsedSeconds:F1}</td><td>{usage.CellSeconds:F1}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    /// <summary>One figure per setting, its seeds behind a selector; images are linked beside the report, not inlined.</summary>
    private static void AppendConfusion(StringBuilder html, StudyReportData data, string? htmlDirectory)
    {
        if (data.ConfusionMatrices.Count == 0)
        {
            return;
        }

        string Source(string path) => htmlDirectory is null
            ? new Uri(Path.GetFullPath(path)).AbsoluteUri
            : string.Join('/', Path.GetRelativePath(htmlDirectory, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Select(Uri.EscapeDataString));

        html.AppendLine("<h2>Confusion matrices</h2><p class=\"legend\">One per setting; choose the seed, click an image to zoom. Label sets above 50 are not drawn: their matrix is a CSV with a summary of the top confusions beside it.</p><div>");
        var index = 0;
        foreach (var (name, files) in data.ConfusionMatrices.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (files.Count == 0)
            {
                continue;
            }

            var id = $"cm{index++}";
            var sources = files.Select(Source).ToArray();
            html.Append(Invariant, $"<figure class=\"cm\"><figcaption>{E(name)} <select data-target=\"{id}\" aria-label=\"seed\">");
            for (var seed = 0; seed < sources.Length; seed++)
            {
                html.Append(Invariant, $"<option value=\"{E(sources[seed])}\">seed {seed}</option>");
            }

            html.AppendLine(Invariant, $"</select></figcaption><img id=\"{id}\" loading=\"lazy\" alt=\"confusion matrix {E(name)}\" src=\"{E(sources[0])}\"></figure>");
        }

        html.AppendLine("</div>");
        html.AppendLine("""
            <script>
            document.querySelectorAll('figure.cm select').forEach(function (s) {
              s.addEventListener('change', function () { document.getElementById(s.getAttribute('data-target')).src = s.value; });
            });
            document.querySelectorAll('figure.cm img').forEach(function (i) {
              i.addEventListener('click', function () { i.classList.toggle('zoomed'); });
            });
            </script>
            """);
    }

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>
    /// The example browser: the HTML holds only the index (one entry per generation cell with its count); the rows come
    /// from report-data/examples-N.js, loaded for the page shown, or for every matching cell when a row filter or a sort
    /// needs them all, so the counts are always true ("200 of 3,600").
    /// </summary>
    private static void AppendExamples(StringBuilder html, StudyReportData data)
    {
        var chunks = ExampleChunks(data);
        var total = chunks.Sum(c => c.Examples.Count);
        var index = JsonSerializer.Serialize(chunks.Select(c => new object[] { c.Task, c.Language, c.Model, c.Strategy, c.Examples.Count }), Json);
        html.AppendLine(Invariant, $"<h2>Generated examples</h2><p><input id=\"filter\" placeholder=\"search every column\" size=\"40\"> <span id=\"count\"><span id=\"shown\">{total}</span> of <span id=\"total\">{total}</span> examples</span> <span id=\"status\"></span></p>");
        html.AppendLine("<p><button id=\"prev\">‹ previous</button> <span id=\"pageinfo\"></span> <button id=\"next\">next ›</button></p>");
        html.Append("<table class=\"examples\" id=\"examples\"><colgroup><col style=\"width:6%\"><col style=\"width:4%\"><col style=\"width:8%\"><col style=\"width:10%\"><col style=\"width:9%\"><col style=\"width:35%\"><col style=\"width:10%\"><col style=\"width:18%\"></colgroup><thead><tr>");
        string[] columns = ["task", "lang", "model", "strategy", "label", "text", "verdict", "detail"];
        for (var c = 0; c < columns.Length; c++)
        {
            html.Append(Invariant, $"<th data-col=\"{c}\" title=\"click to sort\">{columns[c]}</th>");
        }

        html.Append("</tr><tr class=\"filters\">");
        for (var c = 0; c < columns.Length; c++)
        {
            html.Append(Invariant, $"<td><input data-col=\"{c}\" placeholder=\"filter {columns[c]}\" aria-label=\"filter {columns[c]}\"></td>");
        }

        html.AppendLine("</tr></thead><tbody id=\"rows\"></tbody></table>");
        html.AppendLine(Invariant, $"<script>window.LowResGenReport = {{ dataFolder: '{DataFolderName}', pageSize: {PageSize}, columns: {JsonSerializer.Serialize(columns, Json)}, cells: {index} }};</script>");
        html.AppendLine("""
            <script>
            (function () {
              var R = window.LowResGenReport, cells = R.cells, loaded = {}, waiting = {}, page = 0, sortCol = -1, sortDir = 1, generation = 0;
              R.examples = function (id, rows) { loaded[id] = rows; (waiting[id] || []).forEach(function (f) { f(); }); delete waiting[id]; };
              function load(id) {
                return new Promise(function (resolve, reject) {
                  if (loaded[id]) { resolve(); return; }
                  var first = !waiting[id];
                  (waiting[id] = waiting[id] || []).push(resolve);
                  if (first) {
                    var s = document.createElement('script');
                    s.src = R.dataFolder + '/examples-' + id + '.js';
                    s.onerror = function () { reject(new Error('cannot load ' + s.src)); };
                    document.head.appendChild(s);
                  }
                });
              }
              function loadAll(ids, progress) {
                return new Promise(function (resolve, reject) {
                  var next = 0, done = 0;
                  if (ids.length === 0) { resolve(); return; }
                  function one() {
                    if (next >= ids.length) return;
                    load(ids[next++]).then(function () { progress(++done, ids.length); if (done === ids.length) resolve(); else one(); }, reject);
                  }
                  for (var k = 0; k < 8; k++) one();
                });
              }
              var search = document.getElementById('filter');
              var inputs = [].slice.call(document.querySelectorAll('#examples .filters input'));
              function fmt(n) { return n.toLocaleString('en-US'); }
              function value(id, row, col) { return String(col < 4 ? cells[id][col] : row[col - 4]); }
              function state() { return { q: search.value.toLowerCase(), f: inputs.map(function (i) { return i.value.toLowerCase(); }) }; }
              function cellMatches(id, st) { for (var c = 0; c < 4; c++) { if (st.f[c] && cells[id][c].toLowerCase().indexOf(st.f[c]) < 0) return false; } return true; }
              function rowMatches(id, row, st) {
                for (var c = 4; c < 8; c++) { if (st.f[c] && row[c - 4].toLowerCase().indexOf(st.f[c]) < 0) return false; }
                if (!st.q) return true;
                for (var k = 0; k < 8; k++) { if (value(id, row, k).toLowerCase().indexOf(st.q) >= 0) return true; }
                return false;
              }
              function esc(s) { return s.replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
              function show(rows, matching, start) {
                var body = '';
                rows.forEach(function (r) {
                  body += '<tr>';
                  for (var c = 0; c < 8; c++) body += '<td>' + esc(value(r[0], r[1], c)) + '</td>';
                  body += '</tr>';
                });
                document.getElementById('rows').innerHTML = body;
                document.getElementById('shown').textContent = fmt(matching);
                document.getElementById('pageinfo').textContent = matching === 0 ? 'no rows'
                  : 'rows ' + fmt(start + 1) + '–' + fmt(start + rows.length) + ' of ' + fmt(matching) + ', page ' + (page + 1) + ' of ' + fmt(Math.ceil(matching / R.pageSize));
                document.getElementById('prev').disabled = page === 0;
                document.getElementById('next').disabled = start + rows.length >= matching;
                document.getElementById('status').textContent = '';
                document.body.setAttribute('data-ready', 'yes');
              }
              function clamp(matching) { page = Math.max(0, Math.min(page, Math.ceil(matching / R.pageSize) - 1)); }
              function render() {
                var st = state(), my = ++generation, total = 0, candidates = [];
                cells.forEach(function (cell, id) { total += cell[4]; if (cellMatches(id, st)) candidates.push(id); });
                document.getElementById('total').textContent = fmt(total);
                var needAll = st.q || st.f.slice(4).some(Boolean) || sortCol >= 0;
                if (!needAll) {
                  // Counts come from the index: load only the cells the page shows.
                  var matching = candidates.reduce(function (s, id) { return s + cells[id][4]; }, 0);
                  clamp(matching);
                  var start = page * R.pageSize, end = Math.min(matching, start + R.pageSize), offset = 0, need = [];
                  candidates.forEach(function (id) {
                    var n = cells[id][4];
                    if (offset + n > start && offset < end) need.push({ id: id, from: Math.max(0, start - offset), to: Math.min(n, end - offset) });
                    offset += n;
                  });
                  Promise.all(need.map(function (p) { return load(p.id); })).then(function () {
                    if (my !== generation) return;
                    var rows = [];
                    need.forEach(function (p) { loaded[p.id].slice(p.from, p.to).forEach(function (r) { rows.push([p.id, r]); }); });
                    show(rows, matching, start);
                  }, fail);
                  return;
                }
                loadAll(candidates, function (done, all) {
                  if (my === generation) document.getElementById('status').textContent = 'searching: ' + done + ' of ' + all + ' cells loaded';
                }).then(function () {
                  if (my !== generation) return;
                  var rows = [];
                  candidates.forEach(function (id) { loaded[id].forEach(function (r) { if (rowMatches(id, r, st)) rows.push([id, r]); }); });
                  if (sortCol >= 0) {
                    rows.sort(function (a, b) { var x = value(a[0], a[1], sortCol), y = value(b[0], b[1], sortCol); return (x < y ? -1 : x > y ? 1 : 0) * sortDir; });
                  }
                  clamp(rows.length);
                  show(rows.slice(page * R.pageSize, (page + 1) * R.pageSize), rows.length, page * R.pageSize);
                }, fail);
              }
              function fail(error) { document.getElementById('status').textContent = 'could not load the examples: ' + error.message + ' (is the ' + R.dataFolder + ' folder beside this file?)'; document.body.setAttribute('data-ready', 'error'); }
              function restart() { page = 0; render(); }
              search.addEventListener('input', restart);
              inputs.forEach(function (i) { i.addEventListener('input', restart); });
              document.getElementById('prev').addEventListener('click', function () { page--; render(); });
              document.getElementById('next').addEventListener('click', function () { page++; render(); });
              document.querySelectorAll('#examples th[data-col]').forEach(function (th) {
                th.addEventListener('click', function () {
                  var col = +th.getAttribute('data-col');
                  sortDir = sortCol === col ? -sortDir : 1; sortCol = col; restart();
                });
              });
              // ?filter=, ?page=, ?sort=<column>&desc, ?<column>=<filter> set the initial view (links, tests).
              var params = new URLSearchParams(location.search);
              if (params.get('filter')) search.value = params.get('filter');
              R.columns.forEach(function (name, c) { if (params.get(name)) inputs[c].value = params.get(name); });
              if (params.get('sort')) { sortCol = R.columns.indexOf(params.get('sort')); sortDir = params.has('desc') ? -1 : 1; }
              if (params.get('page')) page = Math.max(0, parseInt(params.get('page'), 10) - 1);
              render();
            })();
            </script>
            """);
    }
}
