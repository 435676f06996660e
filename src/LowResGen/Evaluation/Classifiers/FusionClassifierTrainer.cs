using System.Globalization;
using Microsoft.Extensions.AI;

namespace LowResGen.Evaluation.Classifiers;

/// <summary>How the fusion student combines the n-gram features with the embedding.</summary>
public enum FusionMode
{
    /// <summary>One linear model (the n-gram model's one-vs-rest SVMs) over tf-idf n-grams and the embedding side by side.</summary>
    Concatenate,

    /// <summary>Two models, the n-gram SVMs and the encoder's logistic regression, whose class probabilities are averaged.</summary>
    Average,

    /// <summary>
    /// Stacking: the encoder's logistic-regression head over the embedding and the n-gram SVMs' decision values, those of
    /// the training texts taken out of fold (each from SVMs that did not see it), so the head learns how far to trust them.
    /// </summary>
    Stack,
}

/// <summary>Settings of <see cref="FusionClassifierTrainer"/>.</summary>
public sealed record FusionOptions
{
    public static FusionOptions Default { get; } = new();

    /// <summary>
    /// Averaging, chosen by measurement (docs/classifier.md, students bench): with weight 0.9 it was the only mode never
    /// below the better of the n-gram and encoder students by more than a point on the English sets at 8–100 per class.
    /// </summary>
    public FusionMode Mode { get; init; } = FusionMode.Average;

    /// <summary>
    /// The embedding's share: of the squared norm of the concatenated vector (both blocks have unit norm before), or of
    /// the averaged probabilities, or of the stacked head's input (the decision values scaled to unit norm on average).
    /// </summary>
    /// <remarks>0.9 by default (measured with averaging); concatenation was measured at 0.5–1.</remarks>
    public double EmbeddingWeight { get; init; } = 0.9;

    /// <summary>Folds for the out-of-fold n-gram decision values of <see cref="FusionMode.Stack"/> (fewer when a class has fewer examples).</summary>
    public int Folds { get; init; } = 5;

    public LinearTextClassifierOptions Ngram { get; init; } = LinearTextClassifierOptions.Default;

    public EncoderHeadOptions Head { get; init; } = EncoderHeadOptions.Default;

    internal void Validate()
    {
        if (EmbeddingWeight is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingWeight), "EmbeddingWeight must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Folds, 2);
        Ngram.Validate();
        Head.Validate();
    }
}

/// <summary>
/// The <c>ngram+encoder:&lt;model&gt;</c> student: the n-gram model's lexical features and a frozen encoder's embedding in
/// one student. Words a class always uses (names, slot values) and meaning the encoder knows complement each other,
/// most of all when the encoder is weak in the language. Which of the two modes is the default was measured
/// (docs/classifier.md).
/// </summary>
public sealed class FusionClassifierTrainer(IEmbeddingGenerator<string, Embedding<float>> encoder, string model, FusionOptions? options = null)
    : IClassifierTrainer
{
    private readonly FusionOptions _options = options ?? FusionOptions.Default;

    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"{ClassifierNames.FusionPrefix}{model}({_options.Mode.ToString().ToLowerInvariant()},ew={_options.EmbeddingWeight})");

    public async Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        _options.Validate();
        var labels = TrainingLabels.Of(examples);
        var embeddings = await Embeddings.EmbedAsync(encoder, [.. examples.Select(e => e.Text)], _options.Head.BatchSize, cancellationToken)
            .ConfigureAwait(false);
        return await Task.Run<IClassifier>(() =>
        {
            if (_options.Mode == FusionMode.Stack)
            {
                return StackedFusionClassifier.Train(encoder, examples, labels, embeddings, _options, seed, cancellationToken);
            }

            if (_options.Mode == FusionMode.Average)
            {
                var ngram = new LinearTextClassifierTrainer(_options.Ngram).TrainAsync(examples, seed, cancellationToken).GetAwaiter().GetResult();
                var head = EncoderClassifierTrainer.FitHead(embeddings, examples, labels, _options.Head, cancellationToken);
                return new AveragedFusionClassifier(encoder, labels, (LinearTextClassifier)ngram, head, _options);
            }

            var (vectorizer, vectors) = TfIdfVectorizer.Fit([.. examples.Select(e => e.Text)], _options.Ngram, cancellationToken);
            var combined = vectors.Select((v, i) => ConcatenatedFusionClassifier.Combine(v, embeddings[i], vectorizer.Dimension, _options.EmbeddingWeight))
                .ToArray();
            var dimension = vectorizer.Dimension + embeddings[0].Length;
            var weights = LinearTextClassifierTrainer.TrainWeights(combined, examples, labels, dimension, _options.Ngram, seed, cancellationToken);
            return new ConcatenatedFusionClassifier(encoder, labels, vectorizer, weights, _options);
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One SVM per class over [√(1−w)·tf-idf, √w·embedding].</summary>
internal sealed class ConcatenatedFusionClassifier(
    IEmbeddingGenerator<string, Embedding<float>> encoder, string[] labels, TfIdfVectorizer vectorizer, WeightMatrix weights,
    FusionOptions options) : IClassifier
{
    private readonly IReadOnlyDictionary<string, int> _labelIndex = LabelScores.IndexOf(labels);

    public IReadOnlyList<string> Labels => labels;

    public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

    public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await Embeddings.EmbedAsync(encoder, texts, options.Head.BatchSize, cancellationToken).ConfigureAwait(false);
        var scratch = new Dictionary<ulong, int>();
        return [.. texts.Select((t, i) =>
        {
            var vector = Combine(vectorizer.Transform(t, scratch), embeddings[i], vectorizer.Dimension, options.EmbeddingWeight);
            return LinearTextClassifier.ToPrediction(labels, _labelIndex,
                weights.Decide(options.Ngram.Bias, vector), options.Ngram.ScoreScale);
        })];
    }

    /// <summary>The n-gram vector (unit norm) and the embedding (unit norm) appended after it, weighted.</summary>
    public static SparseVector Combine(SparseVector ngrams, float[] embedding, int ngramDimension, double embeddingWeight)
    {
        var indices = new int[ngrams.Indices.Length + embedding.Length];
        var values = new float[indices.Length];
        var ngramScale = (float)Math.Sqrt(1 - embeddingWeight);
        var embeddingScale = (float)Math.Sqrt(embeddingWeight);
        for (var k = 0; k < ngrams.Indices.Length; k++)
        {
            indices[k] = ngrams.Indices[k];
            values[k] = ngrams.Values[k] * ngramScale;
        }

        for (var j = 0; j < embedding.Length; j++)
        {
            indices[ngrams.Indices.Length + j] = ngramDimension + j;
            values[ngrams.Indices.Length + j] = embedding[j] * embeddingScale;
        }

        return new SparseVector(indices, values);
    }
}

/// <summary>(1−w)·z(n-gram decision values) + w·z(encoder head log-probabilities), z standardising over the classes.</summary>
internal sealed class AveragedFusionClassifier(
    IEmbeddingGenerator<string, Embedding<float>> encoder, string[] labels, LinearTextClassifier ngram, double[] head, FusionOptions options)
    : IClassifier
{
    public IReadOnlyList<string> Labels => labels;

    public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

    private static double[] Standardize(double[] values)
    {
        var mean = values.Average();
        var deviation = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return [.. values.Select(v => deviation > 0 ? (v - mean) / deviation : 0)];
    }

    private static double[] Softmax(double[] values)
    {
        var max = values.Max();
        var exponentials = values.Select(v => Math.Exp(v - max)).ToArray();
        var sum = exponentials.Sum();
        return [.. exponentials.Select(e => e / sum)];
    }

    public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await Embeddings.EmbedAsync(encoder, texts, options.Head.BatchSize, cancellationToken).ConfigureAwait(false);
        return [.. texts.Select((t, i) =>
        {
            // Each model's scores standardised over the classes first: the head's log-probabilities are nearly flat at 8
            // examples per class (strong regularisation) and the SVMs' decision values are not probabilities at all, so
            // raw probabilities would let the more confident model decide alone.
            var lexical = Standardize(ngram.DecisionValues(t));
            var semantic = Standardize([.. SoftmaxRegression.Probabilities(head, labels.Length, embeddings[i]).Select(p => Math.Log(p))]);
            var mixed = labels.Select((l, k) => (1 - options.EmbeddingWeight) * lexical[k] + options.EmbeddingWeight * semantic[k]).ToArray();
            return TrainingLabels.Best(labels, Softmax(mixed));
        })];
    }
}

/// <summary>
/// The stacked fusion: the logistic-regression head over [√w·embedding, √(1−w)·s·d], where d are the n-gram SVMs'
/// decision values (out of fold for the training texts, from the SVMs trained on all of them for new texts) and s
/// scales them to unit norm on average over the training texts.
/// </summary>
internal sealed class StackedFusionClassifier(
    IEmbeddingGenerator<string, Embedding<float>> encoder, string[] labels, LinearTextClassifier ngram, double[] head, double scale, FusionOptions options)
    : IClassifier
{
    public IReadOnlyList<string> Labels => labels;

    public static StackedFusionClassifier Train(IEmbeddingGenerator<string, Embedding<float>> encoder, IReadOnlyList<LabeledText> examples,
        string[] labels, float[][] embeddings, FusionOptions options, int seed, CancellationToken cancellationToken)
    {
        var trainer = new LinearTextClassifierTrainer(options.Ngram);
        var outOfFold = new double[examples.Count][];
        var fold = Folds(examples, options.Folds, seed);
        for (var f = 0; f <= fold.Max(); f++)
        {
            var inside = Enumerable.Range(0, examples.Count).Where(i => fold[i] != f).Select(i => examples[i]).ToArray();
            var model = (LinearTextClassifier)trainer.TrainAsync(inside, seed, cancellationToken).GetAwaiter().GetResult();
            for (var i = 0; i < examples.Count; i++)
            {
                if (fold[i] == f)
                {
                    outOfFold[i] = Decisions(model, labels, examples[i].Text);
                }
            }
        }

        var meanSquaredNorm = outOfFold.Average(d => d.Sum(v => v * v));
        var scale = meanSquaredNorm > 0 ? 1 / Math.Sqrt(meanSquaredNorm) : 1;
        var features = embeddings.Select((e, i) => Combine(e, outOfFold[i], scale, options.EmbeddingWeight)).ToArray();
        var head = EncoderClassifierTrainer.FitHead(features, examples, labels, options.Head, cancellationToken);
        var full = (LinearTextClassifier)trainer.TrainAsync(examples, seed, cancellationToken).GetAwaiter().GetResult();
        return new StackedFusionClassifier(encoder, labels, full, head, scale, options);
    }

    public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

    public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await Embeddings.EmbedAsync(encoder, texts, options.Head.BatchSize, cancellationToken).ConfigureAwait(false);
        return [.. texts.Select((t, i) => TrainingLabels.Best(labels, SoftmaxRegression.Probabilities(head, labels.Length,
            Combine(embeddings[i], Decisions(ngram, labels, t), scale, options.EmbeddingWeight))))];
    }

    /// <summary>Fold of each example: stratified (each label's examples dealt round-robin after a seeded shuffle).</summary>
    internal static int[] Folds(IReadOnlyList<LabeledText> examples, int folds, int seed)
    {
        var smallest = examples.GroupBy(e => e.Label, StringComparer.Ordinal).Min(g => g.Count());
        var count = Math.Max(2, Math.Min(folds, smallest));
        var fold = new int[examples.Count];
        var random = new Random(seed);
        foreach (var group in examples.Select((e, i) => (e.Label, i)).GroupBy(p => p.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.Select(p => p.i).ToArray();
            random.Shuffle(members);
            for (var k = 0; k < members.Length; k++)
            {
                fold[members[k]] = k % count;
            }
        }

        return fold;
    }

    /// <summary>The n-gram model's decision values in <paramref name="labels"/>' order (−1, "the rest", for a label it never saw).</summary>
    private static double[] Decisions(LinearTextClassifier model, string[] labels, string text)
    {
        var values = model.DecisionValues(text);
        var byLabel = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var k = 0; k < model.Labels.Count; k++)
        {
            byLabel[model.Labels[k]] = model.Labels.Count == 1 ? 1 : values[k];
        }

        return [.. labels.Select(l => byLabel.GetValueOrDefault(l, -1))];
    }

    private static float[] Combine(float[] embedding, double[] decisions, double scale, double embeddingWeight)
    {
        var combined = new float[embedding.Length + decisions.Length];
        var embeddingScale = Math.Sqrt(embeddingWeight);
        var decisionScale = Math.Sqrt(1 - embeddingWeight) * scale;
        for (var j = 0; j < embedding.Length; j++)
        {
            combined[j] = (float)(embedding[j] * embeddingScale);
        }

        for (var k = 0; k < decisions.Length; k++)
        {
            combined[embedding.Length + k] = (float)(decisions[k] * decisionScale);
        }

        return combined;
    }
}
