using LowResGen.Evaluation.Metrics;

namespace LowResGen.Tests.Evaluation;

public class SignificanceTests
{
    [Theory]
    [InlineData(1.0, 1, 0.5)] // Cauchy: 1 - 2/pi * atan(1)
    [InlineData(3.0, 2, 0.0954659662667091)] // df 2 closed form: 1 - |t| / sqrt(2 + t^2)
    [InlineData(2.262157, 9, 0.05)] // t table, 97.5th percentile
    [InlineData(3.249836, 9, 0.01)]
    [InlineData(-2.262157, 9, 0.05)]
    [InlineData(0.0, 5, 1.0)]
    public void Student_t_two_sided_p_values_match_known_values(double t, int df, double expected) =>
        Assert.Equal(expected, StudentT.TwoSidedPValue(t, df), 6);

    [Fact]
    public void Holm_adjusts_step_down_keeps_the_input_order_and_skips_untestable_comparisons()
    {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02 (monotone: 0.04 * 1 is raised to 0.06).
        var adjusted = HolmCorrection.Adjust([0.01, 0.04, double.NaN, 0.03, 0.005]);
        Assert.Equal(0.03, adjusted[0], 12);
        Assert.Equal(0.06, adjusted[1], 12);
        Assert.True(double.IsNaN(adjusted[2]));
        Assert.Equal(0.06, adjusted[3], 12);
        Assert.Equal(0.02, adjusted[4], 12);
        Assert.Equal([1.0, 1.0], HolmCorrection.Adjust([0.6, 0.9]));
        Assert.Empty(HolmCorrection.Adjust([]));
    }

    [Fact]
    public void Inverse_cdf_recovers_the_table_critical_value() =>
        Assert.Equal(2.262157, StudentT.InverseCdf(0.975, 9), 5);

    [Fact]
    public void Paired_t_test_matches_a_computation_by_hand()
    {
        // Differences -0.05 -0.04 -0.06 -0.03 -0.02: mean -0.04, sd sqrt(0.00025), t = -4 sqrt(2) = -5.65685, df 4,
        // p = 0.0048127 (numerical integration of the t density).
        double[] setting = [0.80, 0.82, 0.78, 0.85, 0.81];
        double[] reference = [0.85, 0.86, 0.84, 0.88, 0.83];

        var comparison = PairedComparison.Compare(setting, reference);

        Assert.Equal(-0.04, comparison.MeanDifference, 12);
        Assert.Equal(-4 * Math.Sqrt(2), comparison.TTest.T, 6);
        Assert.Equal(4, comparison.TTest.DegreesOfFreedom);
        Assert.Equal(0.0048127, comparison.TTest.PValue, 6);
        Assert.Equal("**", comparison.Mark);
        Assert.True(comparison.IsSignificant);
        // Every difference is negative: W+ = 0 and the exact two-sided p is 2 / 2^5.
        Assert.Equal(0, comparison.Wilcoxon.WPlus);
        Assert.Equal(0.0625, comparison.Wilcoxon.PValue, 12);
        Assert.InRange(comparison.BootstrapLow, -0.06, -0.04);
        Assert.InRange(comparison.BootstrapHigh, -0.04, -0.02);
    }

    [Fact]
    public void Wilcoxon_uses_average_ranks_for_ties_and_the_exact_distribution()
    {
        // |d| 1 1 2 2 3 -> ranks 1.5 1.5 3.5 3.5 5; W+ = 13.5; 3 of 32 sign patterns reach it -> p = 6/32.
        var test = PairedComparison.WilcoxonOf([1, -1, 2, 2, 3]);

        Assert.Equal(13.5, test.WPlus);
        Assert.Equal(5, test.NonZeroPairs);
        Assert.Equal(0.1875, test.PValue, 12);
    }

    [Fact]
    public void Identical_settings_are_not_significant_and_constant_shifts_are()
    {
        double[] values = [0.5, 0.6, 0.7];
        var same = PairedComparison.Compare(values, values);
        var shifted = PairedComparison.Compare([.. values.Select(v => v + 0.1)], values);

        Assert.Equal((1.0, "ns"), (same.TTest.PValue, same.Mark));
        Assert.Equal((0.0, "***"), (shifted.TTest.PValue, shifted.Mark));
    }

    [Fact]
    public void Bootstrap_interval_is_deterministic_for_a_seed_and_brackets_the_mean()
    {
        double[] differences = [0.01, -0.02, 0.03, 0.00, 0.05, -0.01, 0.02];
        var first = PairedComparison.BootstrapInterval(differences, 2000, seed: 7);
        var again = PairedComparison.BootstrapInterval(differences, 2000, seed: 7);

        Assert.Equal(first, again);
        Assert.InRange(differences.Average(), first.Low, first.High);
        Assert.True(first.Low > differences.Min() && first.High < differences.Max());
    }

    [Fact]
    public void One_pair_gives_no_test() =>
        Assert.Equal("", PairedComparison.Compare([0.9], [0.8]).Mark);
}
