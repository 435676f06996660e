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
}

/// <summary>Settings of <see cref="FusionClassifierTrainer"/>.</summary>
public sealed record FusionOptions
{
    public static FusionOptions Default { get; } = new();

    public FusionMode Mode { get; init; } = FusionMode.Concatenate;

    /// <summary>
    /// The embedding's share: of the squared norm of the concatenated vector (both blocks have unit norm before), or of
    /// the averaged probabilities.
    /// </summary>
    public double EmbeddingWeight { get; init; } = 0.5;

    public LinearTextClassifierOptions Ngram { get; init; } = LinearTextClassifierOptions.Default;

    public EncoderHeadOptions Head { get; init; } = EncoderHeadOptions.Default;

    internal void Validate()
    {
        if (EmbeddingWeight is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingWeight), "EmbeddingWeight must be in [0, 1].");
        }

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
            return new ConcatenatedFusionClassifier(encoder, labels, vectorizer, weights, dimension, _options);
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One SVM per class over [√(1−w)·tf-idf, √w·embedding].</summary>
internal sealed class ConcatenatedFusionClassifier(
    IEmbeddingGenerator<string, Embedding<float>> encoder, string[] labels, TfIdfVectorizer vectorizer, float[] weights, int dimension,
    FusionOptions options) : IClassifier
{
    public IReadOnlyList<string> Labels => labels;

    public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

    public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await Embeddings.EmbedAsync(encoder, texts, options.Head.BatchSize, cancellationToken).ConfigureAwait(false);
        var scratch = new Dictionary<ulong, int>();
        return [.. texts.Select((t, i) =>
        {
            var vector = Combine(vectorizer.Transform(t, scratch), embeddings[i], vectorizer.Dimension, options.EmbeddingWeight);
            return LinearTextClassifier.ToPrediction(labels,
                LinearTextClassifier.Decide(weights, labels.Length, dimension, options.Ngram.Bias, vector), options.Ngram.ScoreScale);
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

/// <summary>(1−w)·p(n-gram) + w·p(encoder head).</summary>
internal sealed class AveragedFusionClassifier(
    IEmbeddingGenerator<string, Embedding<float>> encoder, string[] labels, LinearTextClassifier ngram, double[] head, FusionOptions options)
    : IClassifier
{
    public IReadOnlyList<string> Labels => labels;

    public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

    public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await Embeddings.EmbedAsync(encoder, texts, options.Head.BatchSize, cancellationToken).ConfigureAwait(false);
        return [.. texts.Select((t, i) =>
        {
            var lexical = ngram.Predict(t);
            var semantic = SoftmaxRegression.Probabilities(head, labels.Length, embeddings[i]);
            var mixed = labels.Select((l, k) => (1 - options.EmbeddingWeight) * lexical.Scores[l] + options.EmbeddingWeight * semantic[k]).ToArray();
            return TrainingLabels.Best(labels, mixed);
        })];
    }
}
