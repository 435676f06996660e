using System.Collections.Concurrent;
using System.Globalization;

namespace LowResGen.Evaluation.Classifiers;

/// <summary>
/// The embedded default classifier: tf-idf over hashed word and character n-grams, one-vs-rest linear SVMs trained
/// by dual coordinate descent, softmax-scaled decision values as scores. Needs no model files, is deterministic for
/// a seed, and trains in well under a second on a few thousand short texts.
/// </summary>
public sealed class LinearTextClassifierTrainer(LinearTextClassifierOptions? options = null) : IClassifierTrainer
{
    private readonly LinearTextClassifierOptions _options = options ?? LinearTextClassifierOptions.Default;

    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"linear-svm(w{_options.MaxWordNgram},c{_options.MinCharNgram}-{_options.MaxCharNgram},cw={_options.CharacterWeight},C={_options.C},{_options.Loss})");

    public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(examples);
        _options.Validate();
        if (examples.Count == 0)
        {
            throw new ArgumentException("Cannot train a classifier on an empty training set.", nameof(examples));
        }

        for (var i = 0; i < examples.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(examples[i].Label))
            {
                throw new ArgumentException($"Training example {i} has an empty label.", nameof(examples));
            }
        }

        return Task.Run(() => Train(examples, seed, cancellationToken), cancellationToken);
    }

    private IClassifier Train(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        var labels = examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var (vectorizer, vectors) = TfIdfVectorizer.Fit([.. examples.Select(e => e.Text)], _options, cancellationToken);
        var weights = TrainWeights(vectors, examples, labels, vectorizer.Dimension, _options, seed, cancellationToken);
        return new LinearTextClassifier(labels, vectorizer, weights, _options);
    }

    /// <summary>
    /// One-vs-rest SVMs over any sparse vectors (the fusion student appends embeddings to the n-grams). Each class keeps
    /// only its non-zero weights until all are trained; <see cref="WeightMatrix"/> then picks the smaller layout.
    /// </summary>
    internal static WeightMatrix TrainWeights(SparseVector[] vectors, IReadOnlyList<LabeledText> examples, string[] labels, int dimension,
        LinearTextClassifierOptions options, int seed, CancellationToken cancellationToken)
    {
        var squaredNorms = vectors.Select(v => v.SquaredNorm()).ToArray();
        var perClass = new (int[] Features, float[] Weights)[labels.Length];
        Array.Fill(perClass, ([], []));
        if (labels.Length > 1)
        {
            var labelIndex = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
            var classOf = examples.Select(e => labelIndex[e.Label]).ToArray();
            void TrainClass(int c)
            {
                var positive = new bool[classOf.Length];
                for (var i = 0; i < classOf.Length; i++)
                {
                    positive[i] = classOf[i] == c;
                }

                // One generator per class, derived from the seed only, so parallel training stays deterministic.
                var random = new Random(unchecked((seed * 1_000_003) + c));
                perClass[c] = WeightMatrix.NonZero(DualCoordinateDescent.Train(vectors, squaredNorms, positive, dimension, options, random, cancellationToken));
            }

            if (options.Parallel)
            {
                System.Threading.Tasks.Parallel.For(0, labels.Length,
                    new ParallelOptions { CancellationToken = cancellationToken }, TrainClass);
            }
            else
            {
                for (var c = 0; c < labels.Length; c++)
                {
                    TrainClass(c);
                }
            }
        }

        return WeightMatrix.FromClasses(dimension, perClass);
    }
}

/// <summary>A trained <see cref="LinearTextClassifierTrainer"/> model. Immutable, so predicting is thread-safe.</summary>
public sealed class LinearTextClassifier : IClassifier
{
    private readonly string[] _labels;
    private readonly TfIdfVectorizer _vectorizer;
    private readonly WeightMatrix _weights;
    private readonly LinearTextClassifierOptions _options;
    private readonly IReadOnlyDictionary<string, int> _labelIndex;

    // The n-gram counts of the text being predicted: one per thread, reused, since Predict runs once per test text and
    // a fresh dictionary regrows for every one of its ~500 n-grams.
    // A bag rather than a ThreadLocal, which would need disposing by every holder of a model.
    private readonly ConcurrentBag<Dictionary<ulong, int>> _scratch = [];

    internal LinearTextClassifier(string[] labels, TfIdfVectorizer vectorizer, WeightMatrix weights, LinearTextClassifierOptions options)
    {
        _labels = labels;
        _vectorizer = vectorizer;
        _weights = weights;
        _options = options;
        _labelIndex = LabelScores.IndexOf(labels);
    }

    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The number of n-gram features the model knows (its training vocabulary).</summary>
    internal int Dimension => _vectorizer.Dimension;

    /// <summary>Weights the model holds: every cell of the dense label × feature matrix, or only the non-zero ones.</summary>
    internal long StoredWeights => _weights.StoredWeights;

    internal bool IsSparse => _weights.IsSparse;

    /// <summary>The same model with its weights in the other layout (tests check that both decide alike).</summary>
    internal LinearTextClassifier WithOtherLayout() => new(_labels, _vectorizer, _weights.WithOtherLayout(), _options);

    /// <summary>The raw one-vs-rest decision values, in the order of <see cref="Labels"/>.</summary>
    public double[] DecisionValues(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _labels.Length == 1 ? new double[1] : _weights.Decide(_options.Bias, Features(text));
    }

    /// <summary>The text's tf-idf vector (for the fusion student, which appends its embedding).</summary>
    internal SparseVector Features(string text)
    {
        var counts = _scratch.TryTake(out var reused) ? reused : [];
        try
        {
            return _vectorizer.Transform(text, counts);
        }
        finally
        {
            counts.Clear();
            _scratch.Add(counts);
        }
    }

    public Prediction Predict(string text) => ToPrediction(_labels, _labelIndex, DecisionValues(text), _options.ScoreScale);

    /// <summary>The best label and softmax(scale · decision values): a probability-like confidence that sums to one.</summary>
    internal static Prediction ToPrediction(string[] labels, IReadOnlyDictionary<string, int> labelIndex, double[] decisions, double scale)
    {
        var best = 0;
        for (var c = 1; c < decisions.Length; c++)
        {
            if (decisions[c] > decisions[best])
            {
                best = c;
            }
        }

        var max = decisions[best];
        var exponentials = decisions.Select(d => Math.Exp(scale * (d - max))).ToArray();
        var sum = exponentials.Sum();
        for (var c = 0; c < exponentials.Length; c++)
        {
            exponentials[c] /= sum;
        }

        return new Prediction(labels[best], new LabelScores(labels, labelIndex, exponentials));
    }
}
