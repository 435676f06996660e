namespace LowResGen.Curation;

/// <summary>
/// Measures how much of a text appears in one of a set of reference texts: the largest share of the text's word n-grams
/// that occur in a single reference (containment). Copying from a demonstration or contamination by a test sentence
/// both show up as a containment near 1. An inverted index keeps this linear in the number of n-grams.
/// </summary>
public sealed class NgramOverlapIndex
{
    private readonly Dictionary<ulong, List<int>> _postings = [];
    private readonly int _n;

    public NgramOverlapIndex(IEnumerable<string> references, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        _n = n;
        var id = 0;
        foreach (var reference in references)
        {
            foreach (var gram in TextShingles.WordNgrams(TextShingles.Words(reference), n))
            {
                if (!_postings.TryGetValue(gram, out var list))
                {
                    _postings[gram] = list = [];
                }

                list.Add(id);
            }

            id++;
        }

        Count = id;
    }

    public int Count { get; }

    /// <summary>Largest share (0..1) of the text's word n-grams found in one reference text.</summary>
    public double MaxContainment(string text)
    {
        var grams = TextShingles.WordNgrams(TextShingles.Words(text), _n);
        if (grams.Count == 0)
        {
            return 0;
        }

        var hits = new Dictionary<int, int>();
        foreach (var gram in grams)
        {
            if (_postings.TryGetValue(gram, out var list))
            {
                foreach (var reference in list)
                {
                    hits[reference] = hits.GetValueOrDefault(reference) + 1;
                }
            }
        }

        return hits.Count == 0 ? 0 : hits.Values.Max() / (double)grams.Count;
    }
}
