namespace LowResGen.Evaluation.Classifiers;

/// <summary>A sparse feature vector: parallel arrays of feature indices and values.</summary>
internal readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public double SquaredNorm()
    {
        var sum = 0.0;
        foreach (var v in Values)
        {
            sum += (double)v * v;
        }

        return sum;
    }
}

/// <summary>
/// The vocabulary of hashed n-grams seen in training, with their inverse document frequencies. Vectors are
/// (sublinear) tf-idf, each block (words, characters) L2-normalised and scaled so that the character block holds
/// <see cref="LinearTextClassifierOptions.CharacterWeight"/> of the squared norm. Immutable once built, so
/// vectorizing is thread-safe given a caller-owned scratch dictionary.
/// </summary>
internal sealed class TfIdfVectorizer
{
    private readonly Dictionary<ulong, int> _index;
    private readonly float[] _idf;
    private readonly bool[] _isCharacter;
    private readonly LinearTextClassifierOptions _options;
    private readonly NgramFeatureExtractor _extractor;

    private TfIdfVectorizer(Dictionary<ulong, int> index, float[] idf, bool[] isCharacter, LinearTextClassifierOptions options)
    {
        _index = index;
        _idf = idf;
        _isCharacter = isCharacter;
        _options = options;
        _extractor = new NgramFeatureExtractor(options);
    }

    public int Dimension => _idf.Length;

    /// <summary>Builds the vocabulary from the training texts and returns their vectors too.</summary>
    public static (TfIdfVectorizer Vectorizer, SparseVector[] Vectors) Fit(
        IReadOnlyList<string> texts, LinearTextClassifierOptions options, CancellationToken cancellationToken)
    {
        var extractor = new NgramFeatureExtractor(options);
        var scratch = new Dictionary<ulong, int>();
        var documents = new KeyValuePair<ulong, int>[texts.Count][];
        var documentFrequency = new Dictionary<ulong, int>();
        for (var i = 0; i < texts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            extractor.Extract(texts[i], scratch);
            documents[i] = [.. scratch];
            foreach (var key in scratch.Keys)
            {
                documentFrequency[key] = documentFrequency.GetValueOrDefault(key) + 1;
            }
        }

        // Indices in order of first appearance: deterministic for the same input order.
        var index = new Dictionary<ulong, int>();
        var idf = new List<float>();
        var isCharacter = new List<bool>();
        foreach (var document in documents)
        {
            foreach (var (key, _) in document)
            {
                var df = documentFrequency[key];
                if (df >= options.MinDocumentFrequency && index.TryAdd(key, idf.Count))
                {
                    idf.Add(options.UseIdf ? (float)(Math.Log((1.0 + texts.Count) / (1.0 + df)) + 1.0) : 1f);
                    isCharacter.Add((key & NgramFeatureExtractor.CharacterBlock) != 0);
                }
            }
        }

        var vectorizer = new TfIdfVectorizer(index, [.. idf], [.. isCharacter], options);
        var vectors = new SparseVector[documents.Length];
        for (var i = 0; i < documents.Length; i++)
        {
            vectors[i] = vectorizer.Weigh(documents[i]);
        }

        return (vectorizer, vectors);
    }

    public SparseVector Transform(string text, Dictionary<ulong, int> scratch)
    {
        _extractor.Extract(text, scratch);
        return Weigh(scratch);
    }

    private SparseVector Weigh(IEnumerable<KeyValuePair<ulong, int>> counts)
    {
        var indices = new List<int>();
        var values = new List<float>();
        double wordNorm = 0, characterNorm = 0;
        foreach (var (key, count) in counts)
        {
            if (!_index.TryGetValue(key, out var feature))
            {
                continue;
            }

            var tf = _options.SublinearTf ? 1.0 + Math.Log(count) : count;
            var value = tf * _idf[feature];
            if (_isCharacter[feature])
            {
                characterNorm += value * value;
            }
            else
            {
                wordNorm += value * value;
            }

            indices.Add(feature);
            values.Add((float)value);
        }

        // Each block gets its share of the unit norm; a block that is absent leaves the whole norm to the other.
        var characterShare = wordNorm == 0 ? 1.0 : characterNorm == 0 ? 0.0 : _options.CharacterWeight;
        var characterScale = characterNorm > 0 ? Math.Sqrt(characterShare / characterNorm) : 0;
        var wordScale = wordNorm > 0 ? Math.Sqrt((1 - characterShare) / wordNorm) : 0;
        var valueArray = values.ToArray();
        var indexArray = indices.ToArray();
        for (var i = 0; i < valueArray.Length; i++)
        {
            valueArray[i] *= (float)(_isCharacter[indexArray[i]] ? characterScale : wordScale);
        }

        return new SparseVector(indexArray, valueArray);
    }
}
