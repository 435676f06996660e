using LowResGen.Evaluation.Metrics;
using LowResGen.Reporting;
using LowResGen.Tests.Evaluation;

namespace LowResGen.Tests.Reporting;

public sealed class ConfusionMatrixPlotTests : IDisposable
{
    private readonly string _directory = EvaluationData.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Up_to_50_labels_are_drawn_beyond_that_the_matrix_is_a_csv_with_its_top_confusions()
    {
        static ConfusionMatrix Matrix(int labels)
        {
            var names = Enumerable.Range(0, labels).Select(i => $"label{i:0000}").ToArray();
            // Every label right twice; label0001 mistaken for label0002 three times, label0003 for label0000 once.
            var pairs = names.SelectMany(n => new[] { (n, n), (n, n) }).Concat(Enumerable.Repeat((names[1], names[2]), 3)).Append((names[3], names[0]));
            return ConfusionMatrix.From(names, pairs);
        }

        var small = Path.Combine(_directory, "small-seed0.png");
        Assert.Equal([small], await ConfusionMatrixPlot.WriteAsync(Matrix(ConfusionMatrixPlot.MaxDrawnLabels), "50 labels", small, CancellationToken.None));
        Assert.True(EvaluationData.IsPng(small));

        var large = Path.Combine(_directory, "large-seed0.png");
        var written = await ConfusionMatrixPlot.WriteAsync(Matrix(600), "600 labels", large, CancellationToken.None);

        Assert.False(File.Exists(large));
        Assert.Equal([Path.Combine(_directory, "large-seed0.csv"), Path.Combine(_directory, "large-seed0-top.md")], written);
        var csv = await File.ReadAllLinesAsync(written[0]);
        Assert.Equal("gold,predicted,count", csv[0]);
        Assert.Equal(600 + 2, csv.Length - 1); // the diagonal and two confusions: only non-zero cells
        Assert.Contains("label0001,label0002,3", csv);
        var summary = await File.ReadAllTextAsync(written[1]);
        Assert.Contains("600 labels (more than 50: not drawn", summary);
        Assert.Contains("| label0001 | label0002 | 3 | 60.0 % |", summary);
        Assert.True(summary.IndexOf("label0002 | 3", StringComparison.Ordinal) < summary.IndexOf("| label0003 | label0000 | 1 |", StringComparison.Ordinal));
    }
}
