using System.Globalization;
using System.Text.Json.Serialization;

namespace LowResGen.Evaluation.Metrics;

/// <summary>
/// The examples per class actually used (a balanced training set) or accepted (a generation run), next to what was
/// asked, so that a table never says "100 per class" of a set that holds 86. Every label of the task is listed, a
/// missing one with 0. <see cref="Available"/> is the size of the set before balancing, where there was one.
/// </summary>
public sealed record ClassCounts(int Asked, IReadOnlyDictionary<string, int> PerClass, int? Available = null)
{
    public int Min => PerClass.Count == 0 ? 0 : PerClass.Values.Min();

    public int Max => PerClass.Count == 0 ? 0 : PerClass.Values.Max();

    public int Total => PerClass.Values.Sum();

    /// <summary>Whether some class has fewer than asked.</summary>
    public bool IsShort => Min < Asked;

    /// <summary>The classes below what was asked, fewest first.</summary>
    [JsonIgnore]
    public IEnumerable<KeyValuePair<string, int>> ShortClasses =>
        PerClass.Where(c => c.Value < Asked).OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>
    /// Whether every class has at most what was asked, so balancing keeps all of them: every seed then draws the same
    /// training set, and any spread over seeds comes from the trainer alone.
    /// </summary>
    [JsonIgnore]
    public bool OneDistinctDraw => Available is { } available && available == Total;

    /// <summary>"100" when every class got what was asked, else "86–96 of 100" (or "90 of 100" when all are equal).</summary>
    public string Describe()
    {
        var used = Min == Max ? Min.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{Min}–{Max}");
        return IsShort ? string.Create(CultureInfo.InvariantCulture, $"{used} of {Asked}") : used;
    }

    /// <summary>"weather_query 12/100, alarm_query 40/100": the short classes with their counts, for messages.</summary>
    public string DescribeShortClasses(int limit = 10)
    {
        var all = ShortClasses.ToArray();
        var named = string.Join(", ", all.Take(limit).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}/{Asked}")));
        return all.Length > limit ? string.Create(CultureInfo.InvariantCulture, $"{named} and {all.Length - limit} more") : named;
    }

    /// <summary>What balancing to at most <paramref name="perClass"/> keeps of each label (labels of the task first, in its order).</summary>
    public static ClassCounts OfBalanced(IEnumerable<string> labels, IEnumerable<string> trainingLabels, int perClass)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var available = 0;
        foreach (var label in labels)
        {
            counts[label] = 0;
        }

        foreach (var label in trainingLabels)
        {
            counts[label] = counts.GetValueOrDefault(label) + 1;
            available++;
        }

        return new ClassCounts(perClass, counts.ToDictionary(c => c.Key, c => Math.Min(c.Value, perClass), StringComparer.Ordinal), available);
    }
}
