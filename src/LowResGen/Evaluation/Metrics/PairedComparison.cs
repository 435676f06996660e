namespace LowResGen.Evaluation.Metrics;

/// <summary>A paired Student t-test of the mean difference: t, degrees of freedom, two-sided p.</summary>
public sealed record PairedTTest(double T, int DegreesOfFreedom, double PValue);

/// <summary>The exact Wilcoxon signed-rank test: W+ (sum of ranks of positive differences) and the two-sided p.</summary>
public sealed record WilcoxonSignedRank(double WPlus, int NonZeroPairs, double PValue);

/// <summary>
/// One setting against the reference over the seeds both have: differences are setting minus reference, paired by seed.
/// The paired t-test decides significance; the Wilcoxon test and a percentile bootstrap interval of the mean
/// difference are there to check it without assuming normal differences (see docs/evaluation.md).
/// </summary>
public sealed record PairedComparison(
    int Pairs,
    double MeanDifference,
    double StdDifference,
    PairedTTest TTest,
    WilcoxonSignedRank Wilcoxon,
    double BootstrapLow,
    double BootstrapHigh)
{
    public const double Alpha = 0.05;

    public bool IsSignificant => TTest.PValue < Alpha;

    /// <summary>
    /// True when the values were paired by seed (the same draw: same student, seed s draws the same way); false for
    /// Welch's unpaired t-test (different students, or the LLM against a student). Then <see cref="Pairs"/> is the
    /// smaller group's size, <see cref="StdDifference"/> the standard error of the difference, the Wilcoxon test is not
    /// run (NaN) and the bootstrap resamples each group on its own.
    /// </summary>
    public bool Paired { get; init; } = true;

    /// <summary>"paired t" or "Welch t", for tables that must say which test they show.</summary>
    public string TestName => Paired ? "paired t" : "Welch t";

    /// <summary>"***" below 0.001, "**" below 0.01, "*" below 0.05, "ns" otherwise, "" when there are too few pairs.</summary>
    public string Mark => Pairs < 2 ? "" : MarkOf(TTest.PValue);

    /// <summary>The marks for a p-value (uncorrected or Holm-adjusted): "***", "**", "*", "ns", and "" for NaN.</summary>
    public static string MarkOf(double p) => double.IsNaN(p) ? ""
        : p < 0.001 ? "***"
        : p < 0.01 ? "**"
        : p < Alpha ? "*"
        : "ns";

    /// <summary>Compares paired values (setting[i] and reference[i] come from the same seed).</summary>
    public static PairedComparison Compare(IReadOnlyList<double> setting, IReadOnlyList<double> reference,
        int bootstrapResamples = 10_000, int bootstrapSeed = 0)
    {
        if (setting.Count != reference.Count)
        {
            throw new ArgumentException("Paired values must have the same count.", nameof(reference));
        }

        var differences = setting.Zip(reference, (s, r) => s - r).ToArray();
        var summary = MeanStd.Of(differences);
        var (low, high) = BootstrapInterval(differences, bootstrapResamples, bootstrapSeed);
        return new PairedComparison(differences.Length, summary.Mean, summary.Std, TTestOf(differences),
            WilcoxonOf(differences), low, high);
    }

    /// <summary>Welch's unpaired comparison of two independent groups of runs (setting minus reference).</summary>
    public static PairedComparison CompareUnpaired(IReadOnlyList<double> setting, IReadOnlyList<double> reference,
        int bootstrapResamples = 10_000, int bootstrapSeed = 0)
    {
        var a = MeanStd.Of(setting);
        var b = MeanStd.Of(reference);
        var difference = a.Mean - b.Mean;
        var n = Math.Min(setting.Count, reference.Count);
        PairedTTest test;
        double standardError;
        if (setting.Count < 2 || reference.Count < 2)
        {
            (test, standardError) = (new PairedTTest(double.NaN, 0, double.NaN), double.NaN);
        }
        else
        {
            var va = a.Std * a.Std / setting.Count;
            var vb = b.Std * b.Std / reference.Count;
            standardError = Math.Sqrt(va + vb);
            if (standardError == 0)
            {
                test = difference == 0 ? new PairedTTest(0, setting.Count + reference.Count - 2, 1)
                    : new PairedTTest(difference > 0 ? double.PositiveInfinity : double.NegativeInfinity, setting.Count + reference.Count - 2, 0);
            }
            else
            {
                // Welch–Satterthwaite degrees of freedom; the p-value uses them unrounded, the record shows them rounded down.
                var df = (va + vb) * (va + vb) / (va * va / (setting.Count - 1) + vb * vb / (reference.Count - 1));
                var t = difference / standardError;
                test = new PairedTTest(t, (int)Math.Floor(df), StudentT.TwoSidedPValue(t, df));
            }
        }

        var random = new Random(bootstrapSeed);
        var means = new double[setting.Count == 0 || reference.Count == 0 ? 0 : bootstrapResamples];
        for (var r = 0; r < means.Length; r++)
        {
            double sa = 0, sb = 0;
            for (var i = 0; i < setting.Count; i++)
            {
                sa += setting[random.Next(setting.Count)];
            }

            for (var i = 0; i < reference.Count; i++)
            {
                sb += reference[random.Next(reference.Count)];
            }

            means[r] = sa / setting.Count - sb / reference.Count;
        }

        Array.Sort(means);
        var (low, high) = means.Length == 0 ? (double.NaN, double.NaN) : (Quantile(means, Alpha / 2), Quantile(means, 1 - Alpha / 2));
        return new PairedComparison(n, difference, standardError, test, new WilcoxonSignedRank(double.NaN, 0, double.NaN), low, high)
        {
            Paired = false,
        };
    }

    public static PairedTTest TTestOf(IReadOnlyList<double> differences)
    {
        var n = differences.Count;
        if (n < 2)
        {
            return new PairedTTest(double.NaN, Math.Max(0, n - 1), double.NaN);
        }

        var summary = MeanStd.Of(differences);
        if (summary.Std == 0)
        {
            // Identical differences: no spread, so any non-zero mean is certain and a zero mean shows nothing.
            return summary.Mean == 0
                ? new PairedTTest(0, n - 1, 1)
                : new PairedTTest(summary.Mean > 0 ? double.PositiveInfinity : double.NegativeInfinity, n - 1, 0);
        }

        var t = summary.Mean / (summary.Std / Math.Sqrt(n));
        return new PairedTTest(t, n - 1, StudentT.TwoSidedPValue(t, n - 1));
    }

    /// <summary>
    /// Exact two-sided Wilcoxon signed-rank test. Zero differences are dropped; ties get average ranks, and the exact
    /// null distribution is counted over those (doubled, so integer) ranks.
    /// </summary>
    public static WilcoxonSignedRank WilcoxonOf(IReadOnlyList<double> differences)
    {
        var nonZero = differences.Where(d => d != 0).ToArray();
        var n = nonZero.Length;
        if (n == 0)
        {
            return new WilcoxonSignedRank(0, 0, 1);
        }

        var order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(nonZero[i])).ToArray();
        var doubledRanks = new int[n];
        for (var start = 0; start < n;)
        {
            var end = start;
            while (end + 1 < n && Math.Abs(nonZero[order[end + 1]]) == Math.Abs(nonZero[order[start]]))
            {
                end++;
            }

            // Average of ranks start+1..end+1, doubled: (start + 1) + (end + 1).
            for (var k = start; k <= end; k++)
            {
                doubledRanks[order[k]] = start + end + 2;
            }

            start = end + 1;
        }

        var observed = Enumerable.Range(0, n).Where(i => nonZero[i] > 0).Sum(i => doubledRanks[i]);
        var total = doubledRanks.Sum();
        // ways[s] = number of sign assignments whose positive doubled ranks sum to s.
        var ways = new double[total + 1];
        ways[0] = 1;
        foreach (var rank in doubledRanks)
        {
            for (var s = total; s >= rank; s--)
            {
                ways[s] += ways[s - rank];
            }
        }

        var all = Math.Pow(2, n);
        var lower = ways.Take(observed + 1).Sum() / all;
        var upper = ways.Skip(observed).Sum() / all;
        return new WilcoxonSignedRank(observed / 2.0, n, Math.Min(1, 2 * Math.Min(lower, upper)));
    }

    /// <summary>95% percentile bootstrap interval of the mean difference; deterministic for the seed.</summary>
    public static (double Low, double High) BootstrapInterval(IReadOnlyList<double> differences, int resamples, int seed)
    {
        var n = differences.Count;
        if (n == 0)
        {
            return (double.NaN, double.NaN);
        }

        var random = new Random(seed);
        var means = new double[resamples];
        for (var b = 0; b < resamples; b++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += differences[random.Next(n)];
            }

            means[b] = sum / n;
        }

        Array.Sort(means);
        return (Quantile(means, Alpha / 2), Quantile(means, 1 - Alpha / 2));
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
