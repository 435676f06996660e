using System.Globalization;
using LowResGen.Data;

namespace LowResGen.TestSupport;

/// <summary>Texts of many labels (the many-labels test and bench): each label has two words of its own, mixed with words all labels share.</summary>
internal static class SyntheticLabels
{
    /// <returns><paramref name="rowsPerLabel"/> training rows and one test row per label.</returns>
    public static (IReadOnlyList<Example> Train, IReadOnlyList<Example> Test) Make(int labels, int rowsPerLabel)
    {
        var random = new Random(17);
        string Shared() => "w" + random.Next(300).ToString(CultureInfo.InvariantCulture);
        Example Row(int label, int row, string split) => new($"{split}-{label}-{row}",
            string.Create(CultureInfo.InvariantCulture, $"{Shared()} k{label}a {Shared()} k{label}b {Shared()}"),
            string.Create(CultureInfo.InvariantCulture, $"label-{label:D5}"), "en", split, "synthetic");
        var train = Enumerable.Range(0, labels).SelectMany(l => Enumerable.Range(0, rowsPerLabel).Select(r => Row(l, r, Splits.Train))).ToList();
        var test = Enumerable.Range(0, labels).Select(l => Row(l, 0, Splits.Test)).ToList();
        return (train, test);
    }
}
