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

    /// <summary>What stands for the std when every seed trained on the same set and scored the same: no spread was measured.</summary>
    public const string OneDistinctDrawNote = "n/a (one distinct draw)";

    /// <summary>
    /// "mean ± std" in percentage points, e.g. "94.8 ± 1.2". With <paramref name="oneDistinctDraw"/> (every seed drew the
    /// same training set) a zero std is not a measured spread, so it reads "94.8 ± n/a (one distinct draw)".
    /// </summary>
    public string ToPoints(int decimals = 1, bool oneDistinctDraw = false)
    {
        if (Count == 0)
        {
            return "-";
        }

        var mean = (Mean * 100).ToString($"F{decimals}", System.Globalization.CultureInfo.InvariantCulture);
        return oneDistinctDraw && Std == 0
            ? $"{mean} ± {OneDistinctDrawNote}"
            : $"{mean} ± {(Std * 100).ToString($"F{decimals}", System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
