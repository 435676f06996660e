namespace LowResGen.Evaluation.Metrics;

/// <summary>
/// Counts of (gold, predicted) pairs. Rows are gold labels, columns predicted labels, both in <see cref="Labels"/> order:
/// the task's order first, then any label seen only in the data (ordinal order, so the layout never depends on arrival order).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    private ConfusionMatrix(IReadOnlyList<string> labels, int[,] counts)
    {
        Labels = labels;
        _counts = counts;
    }

    public IReadOnlyList<string> Labels { get; }

    public int Total { get; private init; }

    /// <summary>How many examples with gold label row were predicted as column.</summary>
    public int this[int gold, int predicted] => _counts[gold, predicted];

    public int this[string gold, string predicted] => _counts[IndexOf(gold), IndexOf(predicted)];

    public int IndexOf(string label)
    {
        for (var i = 0; i < Labels.Count; i++)
        {
            if (string.Equals(Labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException($"Label '{label}' is not in the confusion matrix.", nameof(label));
    }

    /// <summary>Gold examples of a label (row sum).</summary>
    public int Support(int label)
    {
        var sum = 0;
        for (var j = 0; j < Labels.Count; j++)
        {
            sum += _counts[label, j];
        }

        return sum;
    }

    /// <summary>Examples predicted as a label (column sum).</summary>
    public int PredictedCount(int label)
    {
        var sum = 0;
        for (var i = 0; i < Labels.Count; i++)
        {
            sum += _counts[i, label];
        }

        return sum;
    }

    public static ConfusionMatrix From(IReadOnlyList<string> labelOrder, IEnumerable<(string Gold, string Predicted)> pairs)
    {
        var list = pairs as IReadOnlyCollection<(string Gold, string Predicted)> ?? pairs.ToArray();
        var known = new HashSet<string>(labelOrder, StringComparer.Ordinal);
        var extra = list.SelectMany(p => new[] { p.Gold, p.Predicted })
            .Where(l => !known.Contains(l))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        string[] labels = [.. labelOrder.Distinct(StringComparer.Ordinal), .. extra];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            index[labels[i]] = i;
        }

        var counts = new int[labels.Length, labels.Length];
        foreach (var (gold, predicted) in list)
        {
            counts[index[gold], index[predicted]]++;
        }

        return new ConfusionMatrix(labels, counts) { Total = list.Count };
    }
}
