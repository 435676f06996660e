namespace LowResGen.Evaluation.Metrics;

/// <summary>
/// Holm's step-down correction for a family of comparisons (e.g. every strategy × language gap of a study table): the
/// i-th smallest of m p-values is multiplied by m - i + 1, and adjusted values are made monotone and capped at 1. It
/// controls the family-wise error rate without assuming independence, and is never less powerful than Bonferroni.
/// </summary>
public static class HolmCorrection
{
    /// <summary>Adjusted p-values in the input order; NaN (no test possible) stays NaN and does not count in m.</summary>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        var adjusted = new double[pValues.Count];
        Array.Fill(adjusted, double.NaN);
        var order = Enumerable.Range(0, pValues.Count).Where(i => !double.IsNaN(pValues[i])).OrderBy(i => pValues[i]).ToArray();
        var running = 0.0;
        for (var rank = 0; rank < order.Length; rank++)
        {
            running = Math.Max(running, Math.Min(1, (order.Length - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }
}
