using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Reporting;
using LowResGen.TestSupport;

namespace LowResGen.Tests.Evaluation;

/// <summary>
/// 5,000 labels × 20,000 training rows used to allocate a dense label × feature weight matrix (8.8 GB) and crash in the
/// plotter. Training 5,000 one-vs-rest models takes minutes, so the test runs 300 labels (beyond the 50 that are drawn,
/// and sparse); the bench (many-labels) runs 5,000 and measures the peak memory. Here: the evaluation finishes, the
/// model holds a small part of the dense matrix, the sparse layout decides exactly like the dense one, and no plot is drawn.
/// </summary>
public sealed class ManyLabelsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lowresgen-many-labels-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Hundreds_of_labels_evaluate_with_sparse_weights_and_write_the_confusion_as_csv_not_a_plot()
    {
        const int labels = 300;
        var (train, test) = SyntheticLabels.Make(labels, 4);

        var summary = await new EvaluationRunner(new LinearTextClassifierTrainer(), new EvaluationOptions { Seeds = 1, PerClass = 4 })
            .RunAsync(null, [new EvaluationSetting("gold", train)], test, _directory, null, CancellationToken.None);

        var setting = Assert.Single(summary.Settings);
        Assert.Equal(labels, summary.Labels.Count);
        Assert.True(setting.F1.Mean > 0.9, $"macro-F1 {setting.F1.Mean}: every label has words of its own");
        var files = Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).ToList();
        Assert.DoesNotContain(files, f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase));
        var confusion = Assert.Single(files, f => f.Contains("confusion", StringComparison.Ordinal) && f.EndsWith(".csv", StringComparison.Ordinal));
        Assert.StartsWith("gold,predicted,count", await File.ReadAllTextAsync(confusion), StringComparison.Ordinal);
        Assert.Contains(files, f => f.EndsWith("-top.md", StringComparison.Ordinal));

        var model = (LinearTextClassifier)await new LinearTextClassifierTrainer().TrainAsync(
            [.. train.Select(e => new LabeledText(e.Text, e.Label))], 0, CancellationToken.None);
        var dense = (long)(model.Dimension + 1) * labels;
        Assert.True(model.IsSparse);
        Assert.True(model.StoredWeights * 2 < dense, $"{model.StoredWeights:N0} weights held of {dense:N0} dense");
    }

    [Fact]
    public async Task The_sparse_and_the_dense_layout_decide_bit_for_bit_alike()
    {
        // 300 labels: sparse; 4 labels: dense. Each model is compared with its own weights laid out
        // the other way, through the one Decide both layouts share.
        foreach (var labels in new[] { 300, 4 })
        {
            var (train, test) = SyntheticLabels.Make(labels, 3);
            var examples = train.Select(e => new LabeledText(e.Text, e.Label)).ToArray();
            var model = (LinearTextClassifier)await new LinearTextClassifierTrainer().TrainAsync(examples, 3, CancellationToken.None);
            Assert.Equal(labels > 100, model.IsSparse);
            var other = model.WithOtherLayout();
            Assert.NotEqual(model.IsSparse, other.IsSparse);
            foreach (var example in test.Concat(train.Take(50)))
            {
                Assert.Equal(model.DecisionValues(example.Text), other.DecisionValues(example.Text));
            }
        }
    }
}
