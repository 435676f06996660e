using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// The score of every label as a read-only dictionary over one array, sharing the model's label index: a prediction over
/// 5,000 labels costs 40 KB instead of a 5,000-entry dictionary (about 3.5 times that), which matters when a whole test
/// set's predictions are held at once.
/// </summary>
internal sealed class LabelScores(string[] labels, IReadOnlyDictionary<string, int> index, double[] scores) : IReadOnlyDictionary<string, double>
{
    /// <summary>The label → position map that every prediction of one model shares.</summary>
    public static IReadOnlyDictionary<string, int> IndexOf(string[] labels)
    {
        var index = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            index[labels[i]] = i;
        }

        return index;
    }

    public double this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => labels;

    public IEnumerable<double> Values => scores;

    public int Count => labels.Length;

    public bool ContainsKey(string key) => index.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        if (index.TryGetValue(key, out var i))
        {
            value = scores[i];
            return true;
        }

        value = 0;
        return false;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < labels.Length; i++)
        {
            yield return new KeyValuePair<string, double>(labels[i], scores[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
