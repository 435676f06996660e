using System.Globalization;
using System.Text;
using LowResGen.Common;
using LowResGen.Evaluation.Metrics;
using ScottPlot;

namespace LowResGen.Reporting;

/// <summary>
/// Renders a confusion matrix as a labelled heatmap PNG: gold labels down the left, predictions along the bottom. Beyond
/// <see cref="MaxDrawnLabels"/> labels a drawing is unreadable (and thousands of labels exhaust the renderer), so the
/// matrix is written as a sparse CSV with a Markdown summary of its largest confusions instead.
/// </summary>
public static class ConfusionMatrixPlot
{
    public const int MaxDrawnLabels = 50;

    /// <summary>Confusions listed in the summary of an undrawn matrix.</summary>
    public const int TopConfusions = 20;

    /// <summary>
    /// Writes the matrix at <paramref name="pngPath"/> as a PNG, or, beyond <see cref="MaxDrawnLabels"/> labels, beside it
    /// as <c>.csv</c> (gold,predicted,count; non-zero cells only) and <c>-top.md</c>; returns the files written.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(ConfusionMatrix matrix, string title, string pngPath, CancellationToken cancellationToken)
    {
        if (matrix.Labels.Count <= MaxDrawnLabels)
        {
            await AtomicFile.WriteAllBytesAsync(pngPath, RenderPng(matrix, title), cancellationToken).ConfigureAwait(false);
            return [pngPath];
        }

        var stem = Path.ChangeExtension(pngPath, null);
        var n = matrix.Labels.Count;
        var cells = new List<(int Gold, int Predicted, int Count)>();
        for (var gold = 0; gold < n; gold++)
        {
            for (var predicted = 0; predicted < n; predicted++)
            {
                if (matrix[gold, predicted] > 0)
                {
                    cells.Add((gold, predicted, matrix[gold, predicted]));
                }
            }
        }

        await CsvFormat.WriteAsync(stem + ".csv", ["gold", "predicted", "count"],
            cells.Select(c => new[] { matrix.Labels[c.Gold], matrix.Labels[c.Predicted], c.Count.ToString(CultureInfo.InvariantCulture) }),
            cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(stem + "-top.md", Summary(matrix, title, cells), cancellationToken).ConfigureAwait(false);
        return [stem + ".csv", stem + "-top.md"];
    }

    /// <summary>The largest off-diagonal cells, with each one's share of its gold label.</summary>
    public static string Summary(ConfusionMatrix matrix, string title, IReadOnlyCollection<(int Gold, int Predicted, int Count)> nonZero)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {title}\n\n{matrix.Labels.Count} labels (more than {MaxDrawnLabels}: not drawn; the full matrix is the CSV beside this file).\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Top {TopConfusions} confusions:\n\n| gold | predicted | count | share of gold |\n|---|---|---:|---:|\n");
        foreach (var (gold, predicted, count) in nonZero.Where(c => c.Gold != c.Predicted)
                     .OrderByDescending(c => c.Count).ThenBy(c => c.Gold).ThenBy(c => c.Predicted).Take(TopConfusions))
        {
            var support = matrix.Support(gold);
            text.Append(CultureInfo.InvariantCulture, $"| {matrix.Labels[gold]} | {matrix.Labels[predicted]} | {count} | {100.0 * count / support:F1} % |\n");
        }

        return text.ToString();
    }

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
