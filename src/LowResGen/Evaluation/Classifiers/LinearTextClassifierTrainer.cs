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
    /// One-vs-rest SVMs over any sparse vectors (the fusion student appends embeddings to the n-grams). Weights are laid
    /// out feature-major (all classes of one feature together) so that predicting reads memory in order.
    /// </summary>
    internal static float[] TrainWeights(SparseVector[] vectors, IReadOnlyList<LabeledText> examples, string[] labels, int dimension,
        LinearTextClassifierOptions options, int seed, CancellationToken cancellationToken)
    {
        var squaredNorms = vectors.Select(v => v.SquaredNorm()).ToArray();
        var weights = new float[(dimension + 1) * labels.Length];
        if (labels.Length > 1)
        {
            void TrainClass(int c)
            {
                var positive = examples.Select(e => string.Equals(e.Label, labels[c], StringComparison.Ordinal)).ToArray();
                // One generator per class, derived from the seed only, so parallel training stays deterministic.
                var random = new Random(unchecked((seed * 1_000_003) + c));
                var w = DualCoordinateDescent.Train(vectors, squaredNorms, positive, dimension, options, random, cancellationToken);
                for (var f = 0; f <= dimension; f++)
                {
                    weights[f * labels.Length + c] = (float)w[f];
                }
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

        return weights;
    }
}

/// <summary>A trained <see cref="LinearTextClassifierTrainer"/> model. Immutable, so predicting is thread-safe.</summary>
public sealed class LinearTextClassifier : IClassifier
{
    private readonly string[] _labels;
    private readonly TfIdfVectorizer _vectorizer;
    private readonly float[] _weights;
    private readonly LinearTextClassifierOptions _options;

    // The n-gram counts of the text being predicted: one per thread, reused, since Predict runs once per test text and
    // a fresh dictionary regrows for every one of its ~500 n-grams.
    // A bag rather than a ThreadLocal, which would need disposing by every holder of a model.
    private readonly ConcurrentBag<Dictionary<ulong, int>> _scratch = [];

    internal LinearTextClassifier(string[] labels, TfIdfVectorizer vectorizer, float[] weights, LinearTextClassifierOptions options)
    {
        _labels = labels;
        _vectorizer = vectorizer;
        _weights = weights;
        _options = options;
    }

    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The raw one-vs-rest decision values, in the order of <see cref="Labels"/>.</summary>
    public double[] DecisionValues(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _labels.Length == 1 ? new double[1] : Decide(_weights, _labels.Length, _vectorizer.Dimension, _options.Bias, Features(text));
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

    internal static double[] Decide(float[] weights, int classes, int dimension, double bias, SparseVector vector)
    {
        var decisions = new double[classes];
        if (classes == 1)
        {
            return decisions;
        }

        var biasRow = dimension * classes;
        for (var c = 0; c < classes; c++)
        {
            decisions[c] = weights[biasRow + c] * bias;
        }

        for (var k = 0; k < vector.Indices.Length; k++)
        {
            var row = vector.Indices[k] * classes;
            var value = vector.Values[k];
            for (var c = 0; c < classes; c++)
            {
                decisions[c] += weights[row + c] * value;
            }
        }

        return decisions;
    }

    public Prediction Predict(string text) => ToPrediction(_labels, DecisionValues(text), _options.ScoreScale);

    /// <summary>The best label and softmax(scale · decision values): a probability-like confidence that sums to one.</summary>
    internal static Prediction ToPrediction(string[] labels, double[] decisions, double scale)
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
        var scores = new Dictionary<string, double>(labels.Length, StringComparer.Ordinal);
        for (var c = 0; c < labels.Length; c++)
        {
            scores[labels[c]] = exponentials[c] / sum;
        }

        return new Prediction(labels[best], scores);
    }
}
