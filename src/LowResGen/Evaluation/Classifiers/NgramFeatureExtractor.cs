namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// Turns a text into counts of hashed word n-grams and character n-grams (inside each word padded with '&lt;' and
/// '&gt;', as fastText does). Keys are 64-bit hashes, so collisions are negligible without a vocabulary pass; the
/// top bit marks character n-grams so that the two blocks can be weighted separately.
/// </summary>
internal sealed class NgramFeatureExtractor(LinearTextClassifierOptions options)
{
    internal const ulong CharacterBlock = 1UL << 63;
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>Adds the n-gram counts of <paramref name="text"/> to <paramref name="counts"/> (cleared first).</summary>
    public void Extract(string text, Dictionary<ulong, int> counts)
    {
        counts.Clear();
        var span = text.AsSpan();
        Span<ulong> previous = stackalloc ulong[Math.Max(options.MaxWordNgram, 1)];
        var seen = 0;
        var padded = new char[64];
        var position = 0;
        while (position < span.Length)
        {
            while (position < span.Length && char.IsWhiteSpace(span[position]))
            {
                position++;
            }

            var start = position;
            while (position < span.Length && !char.IsWhiteSpace(span[position]))
            {
                position++;
            }

            if (position == start)
            {
                break;
            }

            var word = span[start..position];
            if (options.MaxWordNgram > 0)
            {
                AddWordNgrams(word, previous, ref seen, counts);
            }

            if (options.MinCharNgram > 0)
            {
                if (padded.Length < word.Length + 2)
                {
                    padded = new char[word.Length * 2 + 2];
                }

                padded[0] = '<';
                word.CopyTo(padded.AsSpan(1));
                padded[word.Length + 1] = '>';
                AddCharacterNgrams(padded.AsSpan(0, word.Length + 2), counts);
            }
        }
    }

    private void AddWordNgrams(ReadOnlySpan<char> word, Span<ulong> previous, ref int seen, Dictionary<ulong, int> counts)
    {
        var hash = Hash(FnvOffset, word);
        // Shift the window of recent word hashes; previous[0] is the newest.
        for (var i = previous.Length - 1; i > 0; i--)
        {
            previous[i] = previous[i - 1];
        }

        previous[0] = hash;
        seen++;
        var combined = FnvOffset;
        for (var n = 1; n <= options.MaxWordNgram && n <= seen; n++)
        {
            combined = Mix(combined, previous[n - 1]);
            Increment(counts, (Mix(combined, (ulong)n) & ~CharacterBlock));
        }
    }

    private void AddCharacterNgrams(ReadOnlySpan<char> padded, Dictionary<ulong, int> counts)
    {
        for (var start = 0; start < padded.Length; start++)
        {
            // Do not start an n-gram on the low half of a surrogate pair.
            if (char.IsLowSurrogate(padded[start]))
            {
                continue;
            }

            var hash = FnvOffset;
            var length = 0;
            for (var end = start; end < padded.Length && length < options.MaxCharNgram; end++)
            {
                hash = Step(hash, padded[end]);
                if (end + 1 < padded.Length && char.IsHighSurrogate(padded[end]))
                {
                    continue;
                }

                length++;
                // A lone boundary mark is not an n-gram (fastText skips them too).
                if (length >= options.MinCharNgram && !(length == 1 && (padded[start] == '<' || padded[start] == '>')))
                {
                    Increment(counts, hash | CharacterBlock);
                }
            }
        }
    }

    private static void Increment(Dictionary<ulong, int> counts, ulong key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static ulong Hash(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = Step(hash, c);
        }

        return hash;
    }

    private static ulong Step(ulong hash, char c)
    {
        hash = (hash ^ (byte)c) * FnvPrime;
        return (hash ^ (byte)(c >> 8)) * FnvPrime;
    }

    // SplitMix64 finaliser over the pair: combines word hashes into order-sensitive n-gram hashes.
    private static ulong Mix(ulong left, ulong right)
    {
        var z = left * 0x9E3779B97F4A7C15UL + right;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
