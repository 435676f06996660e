using LowResGen.Evaluation.Metrics;
using ScottPlot;

namespace LowResGen.Reporting;

/// <summary>Grouped bars: for every column (language), each setting's mean gap to the reference in points, with its std.</summary>
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
            .Select(g => Math.Abs(g.MeanDifference * 100) + g.StdDifference * 100).DefaultIfEmpty(1).Max();
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

                bars.Add(new Bar
                {
                    Position = c - 0.4 + width * (k + 0.5),
                    Value = gap.MeanDifference * 100,
                    Error = gap.StdDifference * 100,
                    Size = width * 0.9,
                    FillColor = color,
                });
                if (gap.Mark is not ("ns" or ""))
                {
                    var top = gap.MeanDifference * 100 + Math.Sign(gap.MeanDifference) * (gap.StdDifference * 100 + pad);
                    var mark = plot.Add.Text(gap.Mark, c - 0.4 + width * (k + 0.5), top);
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
        plot.Title($"{ResultsReport.MetricName(metric)} gap to {report.Reference}: mean ± std over seeds, * p < 0.05 (paired t)", 13);
        if (others.Length > 0)
        {
            plot.ShowLegend(Edge.Right);
        }

        return plot.GetImageBytes(Math.Max(640, 110 * report.Columns.Count + 200), 480, ImageFormat.Png);
    }
}
