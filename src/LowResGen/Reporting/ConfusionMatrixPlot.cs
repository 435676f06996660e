using LowResGen.Evaluation.Metrics;
using ScottPlot;

namespace LowResGen.Reporting;

/// <summary>Renders a confusion matrix as a labelled heatmap PNG: gold labels down the left, predictions along the bottom.</summary>
public static class ConfusionMatrixPlot
{
    public static byte[] RenderPng(ConfusionMatrix matrix, string title)
    {
        var n = matrix.Labels.Count;
        var plot = new Plot();
        // Row-normalized shading (recall per gold label) so small classes are as readable as big ones; cells show counts.
        var shares = new double[n, n];
        for (var gold = 0; gold < n; gold++)
        {
            var support = matrix.Support(gold);
            for (var predicted = 0; predicted < n; predicted++)
            {
                shares[gold, predicted] = support == 0 ? 0 : (double)matrix[gold, predicted] / support;
            }
        }

        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // Position names the centres of the corner cells, so cell (row, column) is centred on integer coordinates.
        heatmap.Position = new CoordinateRect(0, n - 1, 0, n - 1);
        var colorbar = plot.Add.ColorBar(heatmap);
        colorbar.Label = "share of gold label";

        for (var gold = 0; gold < n; gold++)
        {
            for (var predicted = 0; predicted < n; predicted++)
            {
                var text = plot.Add.Text(matrix[gold, predicted].ToString(System.Globalization.CultureInfo.InvariantCulture), predicted, n - 1 - gold);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 9 : 13;
                text.LabelFontColor = shares[gold, predicted] > 0.5 ? Colors.White : Colors.Black;
            }
        }

        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(positions, [.. matrix.Labels]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // Room for the longest rotated label plus the axis title.
        plot.Axes.Bottom.MinimumSize = 40 + 6 * matrix.Labels.Max(l => l.Length);
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], [.. matrix.Labels]);
        plot.XLabel("predicted label");
        plot.YLabel("gold label");
        plot.Title(title, 13);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        var size = 300 + 45 * n;
        return plot.GetImageBytes(size + 200, size + 120, ImageFormat.Png);
    }
}
