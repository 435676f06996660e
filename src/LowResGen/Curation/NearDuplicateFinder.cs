namespace LowResGen.Curation;

/// <summary>Two texts whose character n-gram Jaccard similarity reached the threshold (First &lt; Second).</summary>
public sealed record SimilarPair(int First, int Second, double Similarity);

/// <summary>
/// Finds near-duplicate texts without comparing every pair: MinHash signatures, then locality-sensitive hashing over
/// bands of the signature proposes candidate pairs, and each candidate is verified with the exact Jaccard similarity of
/// the shingle sets, so there are no false positives. With 32 bands of 4 rows a pair at similarity 0.6 is proposed
/// with probability above 0.98. Deterministic for a seed.
/// </summary>
public sealed class NearDuplicateFinder
{
    private readonly ulong[] _salts;

    public NearDuplicateFinder(int shingleSize = 4, int bands = 32, int rowsPerBand = 4, int seed = 17)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shingleSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bands);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerBand);
        ShingleSize = shingleSize;
        Bands = bands;
        RowsPerBand = rowsPerBand;
        var state = (ulong)seed;
        _salts = new ulong[bands * rowsPerBand];
        for (var i = 0; i < _salts.Length; i++)
        {
            _salts[i] = SplitMix(ref state);
        }
    }

    public int ShingleSize { get; }

    public int Bands { get; }

    public int RowsPerBand { get; }

    public HashSet<ulong> Shingles(string text) => TextShingles.CharacterNgrams(text, ShingleSize);

    public ulong[] Signature(IReadOnlySet<ulong> shingles)
    {
        var signature = new ulong[_salts.Length];
        Array.Fill(signature, ulong.MaxValue);
        foreach (var shingle in shingles)
        {
            for (var i = 0; i < _salts.Length; i++)
            {
                var value = Mix(shingle ^ _salts[i]);
                if (value < signature[i])
                {
                    signature[i] = value;
                }
            }
        }

        return signature;
    }

    /// <summary>All pairs of texts with Jaccard similarity ≥ threshold, ordered by (First, Second).</summary>
    public IReadOnlyList<SimilarPair> FindPairs(IReadOnlyList<string> texts, double threshold, CancellationToken cancellationToken = default) =>
        FindPairs(texts.Select(Shingles).ToArray(), threshold, cancellationToken);

    public IReadOnlyList<SimilarPair> FindPairs(IReadOnlyList<HashSet<ulong>> shingles, double threshold, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1.0);
        var signatures = new ulong[shingles.Count][];
        Parallel.For(0, shingles.Count, new ParallelOptions { CancellationToken = cancellationToken },
            i => signatures[i] = Signature(shingles[i]));

        var candidates = new HashSet<(int, int)>();
        for (var band = 0; band < Bands; band++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var buckets = new Dictionary<ulong, List<int>>();
            for (var i = 0; i < signatures.Length; i++)
            {
                var key = 1469598103934665603UL;
                for (var r = 0; r < RowsPerBand; r++)
                {
                    key = Mix(key ^ signatures[i][band * RowsPerBand + r]);
                }

                if (!buckets.TryGetValue(key, out var members))
                {
                    buckets[key] = members = [];
                }

                members.Add(i);
            }

            foreach (var members in buckets.Values.Where(m => m.Count > 1))
            {
                for (var a = 0; a < members.Count; a++)
                {
                    for (var b = a + 1; b < members.Count; b++)
                    {
                        candidates.Add((members[a], members[b]));
                    }
                }
            }
        }

        var pairs = new List<SimilarPair>();
        foreach (var (first, second) in candidates)
        {
            var similarity = TextShingles.Jaccard(shingles[first], shingles[second]);
            if (similarity >= threshold)
            {
                pairs.Add(new SimilarPair(first, second, similarity));
            }
        }

        pairs.Sort((x, y) => x.First != y.First ? x.First.CompareTo(y.First) : x.Second.CompareTo(y.Second));
        return pairs;
    }

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
