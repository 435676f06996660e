using LowResGen.Evaluation.Metrics;
using ScottPlot;

namespace LowResGen.Reporting;

/// <summary>
/// Grouped bars: for every column (language), each setting's mean gap to the reference in points, with the 95 %
/// bootstrap confidence interval over seeds as whiskers and the significance marks after the Holm correction.
/// </summary>
internal static class GapPlot
{
    public static byte[] Render(ResultsReport report, ResultMetric metric)
    {
        var plot = new Plot();
        var others = report.Settings.Where(s => s != report.Reference).ToArray();
        var width = 0.8 / Math.Max(1, others.Length);
        var palette = new ScottPlot.Palettes.Category10();
        // Marks sit just beyond the whisker; the pad scales with the largest bar so it reads the same at any range.
        var pad = 0.04 * others.SelectMany(s => report.Columns.Select(c => report.Gap(s, c, metric)))
            .OfType<PairedComparison>()
            .Select(g => Math.Max(Math.Abs(Low(g)), Math.Abs(High(g)))).DefaultIfEmpty(1).Max();
        for (var k = 0; k < others.Length; k++)
        {
            var color = palette.GetColor(k);
            var bars = new List<Bar>();
            for (var c = 0; c < report.Columns.Count; c++)
            {
                var gap = report.Gap(others[k], report.Columns[c], metric);
                if (gap is null)
                {
                    continue;
                }

                var x = c - 0.4 + width * (k + 0.5);
                bars.Add(new Bar { Position = x, Value = gap.MeanDifference * 100, Size = width * 0.9, FillColor = color });
                // Whiskers drawn as lines: the percentile interval need not be centred on the mean, bars' errors are symmetric.
                foreach (var (x1, y1, x2, y2) in new[]
                         {
                             (x, Low(gap), x, High(gap)), (x - width * 0.2, Low(gap), x + width * 0.2, Low(gap)),
                             (x - width * 0.2, High(gap), x + width * 0.2, High(gap)),
                         })
                {
                    var whisker = plot.Add.Line(x1, y1, x2, y2);
                    whisker.LineColor = Colors.Black;
                    whisker.LineWidth = 1.5f;
                    whisker.MarkerSize = 0;
                }
                var holm = report.HolmMark(others[k], report.Columns[c], metric);
                if (holm is not ("ns" or ""))
                {
                    var top = (gap.MeanDifference < 0 ? Low(gap) : High(gap)) + Math.Sign(gap.MeanDifference) * pad;
                    var mark = plot.Add.Text(holm, c - 0.4 + width * (k + 0.5), top);
                    mark.LabelAlignment = gap.MeanDifference < 0 ? Alignment.UpperCenter : Alignment.LowerCenter;
                    mark.LabelFontSize = 14;
                }
            }

            var series = plot.Add.Bars(bars);
            series.LegendText = others[k];
        }

        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Axes.Margins(0.03, 0.12);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, report.Columns.Count).Select(i => (double)i)], [.. report.Columns]);
        plot.XLabel("language");
        plot.YLabel($"{ResultsReport.MetricName(metric)} gap to {report.Reference} (points)");
        plot.Title($"{ResultsReport.MetricName(metric)} gap to {report.Reference}: mean, whiskers 95 % bootstrap CI over seeds, * p < 0.05 (paired t, Holm)", 13);
        if (others.Length > 0)
        {
            plot.ShowLegend(Edge.Right);
        }

        return plot.GetImageBytes(Math.Max(640, 110 * report.Columns.Count + 200), 480, ImageFormat.Png);
    }

    // The interval in points; a single pair has no interval, so the bar stands alone.
    private static double Low(PairedComparison gap) => double.IsNaN(gap.BootstrapLow) ? gap.MeanDifference * 100 : gap.BootstrapLow * 100;

    private static double High(PairedComparison gap) => double.IsNaN(gap.BootstrapHigh) ? gap.MeanDifference * 100 : gap.BootstrapHigh * 100;
}
