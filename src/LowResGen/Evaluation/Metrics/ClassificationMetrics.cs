namespace LowResGen.Evaluation.Metrics;

/// <summary>Precision, recall and F1 of one label, and how many gold examples it has.</summary>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Accuracy, macro-F1 and per-class metrics of one set of predictions, computed from a confusion matrix.
/// Follows scikit-learn's conventions so numbers match the reference study: a precision or recall with a zero
/// denominator is 0, and macro-F1 averages over the labels that occur in the gold labels or the predictions.
/// </summary>
public sealed record ClassificationMetrics(
    double Accuracy,
    double MacroF1,
    IReadOnlyList<ClassMetrics> PerClass,
    ConfusionMatrix Confusion)
{
    /// <param name="macroOverLabelOrderOnly">
    /// Average macro-F1 over the labels of <paramref name="labelOrder"/> only, not over other values found in the pairs
    /// (an LLM's answers that name no label are wrong, but are not a class).
    /// </param>
    public static ClassificationMetrics Compute(IReadOnlyList<string> labelOrder, IEnumerable<(string Gold, string Predicted)> pairs,
        bool macroOverLabelOrderOnly = false) =>
        FromConfusion(ConfusionMatrix.From(labelOrder, pairs), macroOverLabelOrderOnly ? labelOrder.Distinct(StringComparer.Ordinal).Count() : null);

    /// <param name="macroLabels">Only the first this many labels of the matrix count toward macro-F1; null: all.</param>
    public static ClassificationMetrics FromConfusion(ConfusionMatrix confusion, int? macroLabels = null)
    {
        var perClass = new List<ClassMetrics>(confusion.Labels.Count);
        var correct = 0;
        var f1Sum = 0.0;
        var present = 0;
        for (var i = 0; i < confusion.Labels.Count; i++)
        {
            var truePositives = confusion[i, i];
            correct += truePositives;
            var support = confusion.Support(i);
            var predicted = confusion.PredictedCount(i);
            var precision = Ratio(truePositives, predicted);
            var recall = Ratio(truePositives, support);
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(confusion.Labels[i], precision, recall, f1, support));
            if ((support > 0 || predicted > 0) && i < (macroLabels ?? int.MaxValue))
            {
                f1Sum += f1;
                present++;
            }
        }

        return new ClassificationMetrics(
            Ratio(correct, confusion.Total),
            present == 0 ? 0 : f1Sum / present,
            perClass,
            confusion);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
