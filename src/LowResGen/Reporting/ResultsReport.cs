using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Metrics;

namespace LowResGen.Reporting;

/// <summary>The two metrics of results.csv.</summary>
public enum ResultMetric
{
    F1,
    Accuracy,
}

/// <summary>The rows of one results.csv under a column name (usually the language).</summary>
public sealed record LabeledResults(string Column, IReadOnlyList<ResultRow> Rows);

/// <summary>
/// Aggregates results CSVs like the reference study's statistics script: one column per language (or per results
/// file), one row per setting, mean and std over seeds in separate tables, plus the gap of every setting to the
/// reference with a paired t-test over seeds.
/// </summary>
public sealed class ResultsReport
{
    private readonly Dictionary<(string Setting, string Column), IReadOnlyDictionary<int, ResultRow>> _cells;

    // The report never changes once built, and each gap (a t-test, a Wilcoxon test and a 10,000-draw bootstrap) is read
    // by the gap table, its averages and both plots: compute each once.
    private readonly ConcurrentDictionary<(string Setting, string Column, ResultMetric Metric), PairedComparison?> _gaps = new();
    private readonly Lazy<string> _markdown;
    private readonly ConcurrentDictionary<ResultMetric, IReadOnlyDictionary<(string Setting, string Column), double>> _holm = new();

    private ResultsReport(IReadOnlyList<string> columns, IReadOnlyList<string> settings, string reference,
        Dictionary<(string, string), IReadOnlyDictionary<int, ResultRow>> cells)
    {
        Columns = columns;
        Settings = settings;
        Reference = reference;
        _cells = cells;
        _markdown = new Lazy<string>(BuildMarkdown);
    }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Setting names, the reference first, the rest in the order they first appear.</summary>
    public IReadOnlyList<string> Settings { get; }

    public string Reference { get; }

    public static ResultsReport From(IReadOnlyList<LabeledResults> results, string? reference = null)
    {
        if (results.Count == 0 || results.All(r => r.Rows.Count == 0))
        {
            throw new ArgumentException("No results to report.", nameof(results));
        }

        var settings = results.SelectMany(r => r.Rows).Select(r => r.Setting).Distinct(StringComparer.Ordinal).ToList();
        reference ??= settings.Contains(EvaluationRunner.DefaultReference) ? EvaluationRunner.DefaultReference : settings[0];
        if (!settings.Remove(reference))
        {
            throw new ArgumentException($"Reference setting '{reference}' is not in the results ({string.Join(", ", settings)}).", nameof(reference));
        }

        settings.Insert(0, reference);
        var cells = new Dictionary<(string, string), IReadOnlyDictionary<int, ResultRow>>();
        foreach (var group in results.GroupBy(r => r.Column))
        {
            foreach (var setting in group.SelectMany(r => r.Rows).GroupBy(r => r.Setting))
            {
                // The last row of a seed wins: results files are appended to by reruns.
                cells[(setting.Key, group.Key)] = setting.GroupBy(r => r.Seed).ToDictionary(g => g.Key, g => g.Last());
            }
        }

        return new ResultsReport([.. OrderColumns(results.Select(r => r.Column).Distinct())], settings, reference, cells);
    }

    /// <summary>
    /// Loads results from files and directories. A directory contributes every results.csv below it, each named by
    /// its folder relative to the directory ("en", or "intent/en"); "name=path" names a file or directory explicitly.
    /// </summary>
    public static async Task<ResultsReport> LoadAsync(IEnumerable<string> inputs, string? reference, CancellationToken cancellationToken)
    {
        var loaded = new List<LabeledResults>();
        foreach (var input in inputs)
        {
            var (name, path) = SplitNamed(input);
            if (File.Exists(path))
            {
                var column = name ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))!;
                loaded.Add(new LabeledResults(column, await ResultsFile.ReadAsync(path, cancellationToken).ConfigureAwait(false)));
            }
            else if (Directory.Exists(path))
            {
                var root = Path.GetFullPath(path);
                var files = Directory.EnumerateFiles(root, ResultsFile.FileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
                if (files.Length == 0)
                {
                    throw new DataFormatException(path, null, null, $"no {ResultsFile.FileName} in this directory or below it");
                }

                foreach (var file in files)
                {
                    var relative = Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/');
                    var column = relative == "." ? name ?? Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar)) : name is null ? relative : $"{name}/{relative}";
                    loaded.Add(new LabeledResults(column, await ResultsFile.ReadAsync(file, cancellationToken).ConfigureAwait(false)));
                }
            }
            else
            {
                throw new DataFormatException(path, null, null, "no such results file or directory");
            }
        }

        return From(loaded, reference);
    }

    /// <summary>Mean ± std over the seeds of one cell; Count 0 when the setting has no results there.</summary>
    public MeanStd Cell(string setting, string column, ResultMetric metric) =>
        _cells.TryGetValue((setting, column), out var rows)
            ? MeanStd.Of([.. rows.Values.Select(r => Value(r, metric))])
            : MeanStd.Of([]);

    /// <summary>The setting against the reference in one column, paired by seed; null when they share no seed.</summary>
    public PairedComparison? Gap(string setting, string column, ResultMetric metric) =>
        _gaps.GetOrAdd((setting, column, metric), key => ComputeGap(key.Setting, key.Column, key.Metric));

    private PairedComparison? ComputeGap(string setting, string column, ResultMetric metric)
    {
        if (!_cells.TryGetValue((setting, column), out var own) || !_cells.TryGetValue((Reference, column), out var reference))
        {
            return null;
        }

        var seeds = own.Keys.Where(reference.ContainsKey).Order().ToArray();
        return seeds.Length == 0
            ? null
            : PairedComparison.Compare([.. seeds.Select(s => Value(own[s], metric))], [.. seeds.Select(s => Value(reference[s], metric))]);
    }

    /// <summary>
    /// The gap's p-value after the Holm correction over every (setting, column) gap of the metric's table; NaN when
    /// there is no gap or too few pairs to test.
    /// </summary>
    public double HolmPValue(string setting, string column, ResultMetric metric) =>
        _holm.GetOrAdd(metric, m =>
        {
            var tested = Settings.Where(s => s != Reference).SelectMany(s => Columns.Select(c => (s, c, Gap: Gap(s, c, m))))
                .Where(x => x.Gap is { Pairs: >= 2 } g && !double.IsNaN(g.TTest.PValue)).ToArray();
            var adjusted = HolmCorrection.Adjust([.. tested.Select(x => x.Gap!.TTest.PValue)]);
            return tested.Select((x, i) => (x.s, x.c, adjusted[i])).ToDictionary(x => (x.s, x.c), x => x.Item3);
        }).GetValueOrDefault((setting, column), double.NaN);

    /// <summary>The significance mark of a gap after the Holm correction ("" when it cannot be tested).</summary>
    public string HolmMark(string setting, string column, ResultMetric metric) =>
        PairedComparison.MarkOf(HolmPValue(setting, column, metric));

    /// <summary>How many gaps of the metric's table the Holm correction covers.</summary>
    public int Comparisons(ResultMetric metric) =>
        Settings.Where(s => s != Reference).Sum(s => Columns.Count(c => !double.IsNaN(HolmPValue(s, c, metric))));

    public string ToMarkdown() => _markdown.Value;

    private string BuildMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Evaluation results\n\n")
            .Append(CultureInfo.InvariantCulture, $"Reference setting: `{Reference}`. Mean and sample standard deviation over seeds. ")
            .Append("Gaps are setting minus reference in percentage points; significance by a paired t-test over seeds, ")
            .Append("marked after a Holm correction over all gaps of the table (`*` p < 0.05, `**` p < 0.01, `***` p < 0.001, `ns` not significant); ")
            .Append("the uncorrected p-values follow each gap table.\n");
        foreach (var metric in Enum.GetValues<ResultMetric>())
        {
            var name = MetricName(metric);
            AppendTable(text, $"{name}: mean", withAverage: true, (s, c) => Format(Cell(s, c, metric), m => m.Mean), s => Average(s, metric));
            AppendTable(text, $"{name}: std", withAverage: false, (s, c) => Format(Cell(s, c, metric), m => m.Std), _ => "");
            text.Append(CultureInfo.InvariantCulture, $"\n## {name}: gap to {Reference} (points)\n\n");
            AppendRows(text, Settings.Where(s => s != Reference), withAverage: true, (s, c) =>
            {
                var gap = Gap(s, c, metric);
                return gap is null ? "-" : $"{(gap.MeanDifference * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)} {HolmMark(s, c, metric)}".TrimEnd();
            }, s => AverageGap(s, metric));
            text.Append(CultureInfo.InvariantCulture, $"\n## {name}: p-values of the gaps (paired t, uncorrected; Holm over {Comparisons(metric)} comparisons)\n\n");
            AppendRows(text, Settings.Where(s => s != Reference), withAverage: false, (s, c) =>
            {
                var gap = Gap(s, c, metric);
                return gap is null || double.IsNaN(gap.TTest.PValue)
                    ? "-"
                    : string.Create(CultureInfo.InvariantCulture, $"{gap.TTest.PValue:0.0000} (Holm {HolmPValue(s, c, metric):0.0000})");
            }, _ => "");
        }

        return text.ToString();
    }

    /// <summary>A grouped bar chart of every setting's gap to the reference per column, in points.</summary>
    public byte[] RenderGapPng(ResultMetric metric) => GapPlot.Render(this, metric);

    /// <summary>Writes report.md, gap-f1.png and gap-accuracy.png; returns their paths.</summary>
    public async Task<IReadOnlyList<string>> WriteAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        var markdown = Path.Combine(outputDirectory, "report.md");
        await AtomicFile.WriteAllTextAsync(markdown, ToMarkdown(), cancellationToken).ConfigureAwait(false);
        var written = new List<string> { markdown };
        foreach (var metric in Enum.GetValues<ResultMetric>())
        {
            var png = Path.Combine(outputDirectory, $"gap-{metric.ToString().ToLowerInvariant()}.png");
            await AtomicFile.WriteAllBytesAsync(png, RenderGapPng(metric), cancellationToken).ConfigureAwait(false);
            written.Add(png);
        }

        return written;
    }

    public static string MetricName(ResultMetric metric) => metric == ResultMetric.F1 ? "Macro-F1" : "Accuracy";

    private static double Value(ResultRow row, ResultMetric metric) => metric == ResultMetric.F1 ? row.F1 : row.Accuracy;

    private string Average(string setting, ResultMetric metric)
    {
        var means = Columns.Select(c => Cell(setting, c, metric)).Where(m => m.Count > 0).Select(m => m.Mean).ToArray();
        return means.Length == 0 ? "-" : means.Average().ToString("F3", CultureInfo.InvariantCulture);
    }

    private string AverageGap(string setting, ResultMetric metric)
    {
        var gaps = Columns.Select(c => Gap(setting, c, metric)).OfType<PairedComparison>().Select(g => g.MeanDifference).ToArray();
        return gaps.Length == 0 ? "-" : (gaps.Average() * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);
    }

    private static string Format(MeanStd cell, Func<MeanStd, double> pick) =>
        cell.Count == 0 ? "-" : pick(cell).ToString("F3", CultureInfo.InvariantCulture);

    private void AppendTable(StringBuilder text, string title, bool withAverage, Func<string, string, string> cell, Func<string, string> average)
    {
        text.Append(CultureInfo.InvariantCulture, $"\n## {title}\n\n");
        AppendRows(text, Settings, withAverage, cell, average);
    }

    private void AppendRows(StringBuilder text, IEnumerable<string> settings, bool withAverage, Func<string, string, string> cell, Func<string, string> average)
    {
        text.Append("| setting | ").AppendJoin(" | ", Columns.Select(Escape)).Append(withAverage ? " | average |\n" : " |\n");
        text.Append("|---|").AppendJoin("", Columns.Select(_ => "---:|")).Append(withAverage ? "---:|\n" : "\n");
        foreach (var setting in settings)
        {
            text.Append("| ").Append(Escape(setting)).Append(" | ").AppendJoin(" | ", Columns.Select(c => cell(setting, c)));
            text.Append(withAverage ? $" | {average(setting)} |\n" : " |\n");
        }
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);

    private static (string? Name, string Path) SplitNamed(string input)
    {
        var equals = input.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && !File.Exists(input) && !Directory.Exists(input) ? (input[..equals], input[(equals + 1)..]) : (null, input);
    }

    /// <summary>Groups by parent folder, then the reference study's language order, then name.</summary>
    private static IEnumerable<string> OrderColumns(IEnumerable<string> columns) => columns
        .Select((c, i) => (Column: c, Index: i))
        .OrderBy(x => x.Column.Contains('/', StringComparison.Ordinal) ? x.Column[..x.Column.LastIndexOf('/')] : "", StringComparer.Ordinal)
        .ThenBy(x => LanguageOrder(x.Column))
        .ThenBy(x => x.Index)
        .Select(x => x.Column);

    private static int LanguageOrder(string column)
    {
        var last = column[(column.LastIndexOf('/') + 1)..];
        var index = LanguageRegistry.Default.TryResolve(last, out var language)
            ? LanguageRegistry.ReferenceLanguages.ToList().IndexOf(language.Code)
            : -1;
        return index < 0 ? int.MaxValue : index;
    }
}
