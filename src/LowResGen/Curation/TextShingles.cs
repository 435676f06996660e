using System.Globalization;
using LowResGen.Common;

namespace LowResGen.Curation;

/// <summary>
/// The text views the quality measures compare: a normalized form (lower-case, punctuation removed, spaces collapsed),
/// its words, and hashed character or word n-grams. Hashes are stable across processes (FNV-1a), never string.GetHashCode,
/// so that every measure is reproducible run to run.
/// </summary>
public static class TextShingles
{
    /// <summary>The normalized form shared with generation's duplicate check (<see cref="TextNormalizer.Key"/>).</summary>
    public static string Normalize(string text) => TextNormalizer.Key(text);

    public static string[] Words(string text) => Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Distinct hashed character n-grams of the normalized text, padded with a space at both ends so that
    /// word boundaries count; a text shorter than n yields one shingle of the whole text.</summary>
    public static HashSet<ulong> CharacterNgrams(string text, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var padded = " " + Normalize(text) + " ";
        var starts = TextElementStarts(padded);
        var elements = starts.Count - 1;
        var set = new HashSet<ulong>();
        if (elements <= n)
        {
            set.Add(Hash(padded));
            return set;
        }

        for (var i = 0; i + n <= elements; i++)
        {
            set.Add(Hash(padded.AsSpan(starts[i], starts[i + n] - starts[i])));
        }

        return set;
    }

    /// <summary>Distinct hashed word n-grams; a text with fewer than n words yields one n-gram of all its words.</summary>
    public static HashSet<ulong> WordNgrams(IReadOnlyList<string> words, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var set = new HashSet<ulong>();
        if (words.Count == 0)
        {
            return set;
        }

        if (words.Count < n)
        {
            set.Add(Hash(string.Join('\u0001', words)));
            return set;
        }

        for (var i = 0; i + n <= words.Count; i++)
        {
            set.Add(Hash(string.Join('\u0001', words.Skip(i).Take(n))));
        }

        return set;
    }

    public static double Jaccard(IReadOnlySet<ulong> a, IReadOnlySet<ulong> b)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var shared = small.Count(large.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }

    /// <summary>64-bit FNV-1a over the UTF-16 code units.</summary>
    public static ulong Hash(string value) => Hash(value.AsSpan());

    private static ulong Hash(ReadOnlySpan<char> value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    // Text elements (grapheme clusters) rather than chars, so Telugu or Thai combining marks stay with their base letter.
    // Their start offsets, then the text's length: n-grams are hashed as slices of the text, without building strings.
    private static List<int> TextElementStarts(string text)
    {
        var starts = new List<int>(text.Length + 1);
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            starts.Add(enumerator.ElementIndex);
        }

        starts.Add(text.Length);
        return starts;
    }
}
