namespace LowResGen.Evaluation.Metrics;

/// <summary>
/// Mean and sample standard deviation (n - 1 in the denominator, as pandas computes it in the reference study's
/// statistics) of one metric over seeds. Std is 0 for a single value.
/// </summary>
public sealed record MeanStd(double Mean, double Std, int Count)
{
    public static MeanStd Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new MeanStd(double.NaN, double.NaN, 0);
        }

        var mean = values.Average();
        var std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanStd(mean, std, values.Count);
    }

    /// <summary>"mean ± std" in percentage points, e.g. "94.8 ± 1.2".</summary>
    public string ToPoints(int decimals = 1) =>
        Count == 0 ? "-" : $"{(Mean * 100).ToString($"F{decimals}", System.Globalization.CultureInfo.InvariantCulture)} ± {(Std * 100).ToString($"F{decimals}", System.Globalization.CultureInfo.InvariantCulture)}";
}
