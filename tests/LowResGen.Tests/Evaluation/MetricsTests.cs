using LowResGen.Evaluation.Metrics;

namespace LowResGen.Tests.Evaluation;

public class MetricsTests
{
    // Worked by hand: rows are gold, columns predicted, order a b c.
    //   a: 2 1 1   b: 1 2 0   c: 0 1 2      accuracy 6/10
    //   a: P 2/3 R 2/4 F1 4/7;  b: P 2/4 R 2/3 F1 4/7;  c: P 2/3 R 2/3 F1 2/3;  macro-F1 38/63
    private static readonly (string, string)[] Pairs =
    [
        ("a", "a"), ("a", "a"), ("a", "b"), ("a", "c"),
        ("b", "b"), ("b", "b"), ("b", "a"),
        ("c", "c"), ("c", "c"), ("c", "b"),
    ];

    [Fact]
    public void Metrics_match_a_hand_computed_example()
    {
        var metrics = ClassificationMetrics.Compute(["a", "b", "c"], Pairs);

        Assert.Equal(0.6, metrics.Accuracy, 12);
        Assert.Equal(38.0 / 63, metrics.MacroF1, 12);
        var a = metrics.PerClass[0];
        Assert.Equal(("a", 4), (a.Label, a.Support));
        Assert.Equal(2.0 / 3, a.Precision, 12);
        Assert.Equal(0.5, a.Recall, 12);
        Assert.Equal(4.0 / 7, a.F1, 12);
        Assert.Equal(0.5, metrics.PerClass[1].Precision, 12);
        Assert.Equal(2.0 / 3, metrics.PerClass[1].Recall, 12);
        Assert.Equal(2.0 / 3, metrics.PerClass[2].F1, 12);
        Assert.Equal(3, metrics.PerClass[2].Support);
        var m = metrics.Confusion;
        Assert.Equal([2, 1, 1, 1, 2, 0, 0, 1, 2], [m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2], m[2, 0], m[2, 1], m[2, 2]]);
        Assert.Equal(10, m.Total);
    }

    [Fact]
    public void Confusion_matrix_follows_the_task_order_and_appends_unknown_labels()
    {
        var matrix = ConfusionMatrix.From(["c", "b", "a"], [.. Pairs, ("a", "zz"), ("a", "x")]);

        Assert.Equal(["c", "b", "a", "x", "zz"], matrix.Labels);
        Assert.Equal(2, matrix["c", "c"]);
        Assert.Equal(1, matrix["a", "zz"]);
        Assert.Equal(6, matrix.Support(matrix.IndexOf("a")));
        Assert.Equal(0, matrix.PredictedCount(matrix.IndexOf("zz")) - 1);
    }

    [Fact]
    public void Macro_F1_ignores_labels_absent_from_gold_and_predictions_like_scikit_learn()
    {
        var metrics = ClassificationMetrics.Compute(["a", "b", "c", "d"], Pairs);

        Assert.Equal(38.0 / 63, metrics.MacroF1, 12);
        Assert.Equal(("d", 0.0, 0), (metrics.PerClass[3].Label, metrics.PerClass[3].F1, metrics.PerClass[3].Support));
    }

    [Fact]
    public void A_predicted_label_with_no_gold_examples_counts_as_zero_F1()
    {
        var metrics = ClassificationMetrics.Compute(["a", "b"], [("a", "a"), ("a", "b")]);

        // a: P 1, R 1/2, F1 2/3; b: P 0, R 0 (no support), F1 0 -> macro 1/3.
        Assert.Equal(1.0 / 3, metrics.MacroF1, 12);
        Assert.Equal(0.5, metrics.Accuracy, 12);
    }

    [Fact]
    public void Mean_and_sample_std_over_seeds()
    {
        var summary = MeanStd.Of([0.1, 0.2, 0.3, 0.4]);

        Assert.Equal(0.25, summary.Mean, 12);
        Assert.Equal(Math.Sqrt(0.05 / 3), summary.Std, 12);
        Assert.Equal("25.0 ± 12.9", summary.ToPoints());
        Assert.Equal(0, MeanStd.Of([0.7]).Std);
    }
}
