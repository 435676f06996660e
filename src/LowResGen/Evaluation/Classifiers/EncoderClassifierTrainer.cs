using System.Globalization;
using Microsoft.Extensions.AI;

namespace LowResGen.Evaluation.Classifiers;

/// <summary>Settings of the encoder student's logistic-regression head.</summary>
public sealed record EncoderHeadOptions
{
    public static EncoderHeadOptions Default { get; } = new();

    /// <summary>
    /// Inverse regularisation on the summed log-loss (scikit-learn's C, MTEB's probe: C = 1). Because the loss is a sum,
    /// the penalty per example shrinks as 1/n: strong at 8 examples per class, weak at 2,000 (docs/classifier.md).
    /// </summary>
    public double C { get; init; } = 1.0;

    public int MaxIterations { get; init; } = 300;

    /// <summary>Stop when the largest gradient entry falls below this share of the starting one.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Texts per embedding request; the encoder backend batches inside a request as it needs.</summary>
    public int BatchSize { get; init; } = 256;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(C);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Tolerance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
    }
}

/// <summary>
/// The <c>encoder:&lt;model&gt;</c> student: a frozen sentence encoder behind <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>
/// and a multinomial logistic-regression head trained on its L2-normalised embeddings. The head is convex and starts
/// from zero, so a seed changes only the training sample the protocol draws. Embeddings are asked for in batches; a
/// caching generator (the encoders' SQLite cache) makes ten seeds embed each text once.
/// </summary>
public sealed class EncoderClassifierTrainer(IEmbeddingGenerator<string, Embedding<float>> encoder, string model, EncoderHeadOptions? options = null)
    : IClassifierTrainer
{
    private readonly EncoderHeadOptions _options = options ?? EncoderHeadOptions.Default;

    public string Name => string.Create(CultureInfo.InvariantCulture, $"{ClassifierNames.EncoderPrefix}{model}(logreg,C={_options.C})");

    public async Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        _options.Validate();
        var labels = TrainingLabels.Of(examples);
        var features = await Embeddings.EmbedAsync(encoder, [.. examples.Select(e => e.Text)], _options.BatchSize, cancellationToken)
            .ConfigureAwait(false);
        var weights = await Task.Run(() => FitHead(features, examples, labels, _options, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new EncoderClassifier(encoder, labels, weights, _options.BatchSize);
    }

    internal static double[] FitHead(float[][] features, IReadOnlyList<LabeledText> examples, string[] labels, EncoderHeadOptions options,
        CancellationToken cancellationToken)
    {
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var y = examples.Select(e => index[e.Label]).ToArray();
        return SoftmaxRegression.Fit(features, y, labels.Length, options.C, options.MaxIterations, options.Tolerance, cancellationToken);
    }
}

/// <summary>A trained <see cref="EncoderClassifierTrainer"/> model; predicting embeds the texts in batches.</summary>
internal sealed class EncoderClassifier(IEmbeddingGenerator<string, Embedding<float>> encoder, string[] labels, double[] weights, int batchSize)
    : IClassifier
{
    public IReadOnlyList<string> Labels => labels;

    public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

    public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var features = await Embeddings.EmbedAsync(encoder, texts, batchSize, cancellationToken).ConfigureAwait(false);
        return [.. features.Select(f => TrainingLabels.Best(labels, SoftmaxRegression.Probabilities(weights, labels.Length, f)))];
    }
}

/// <summary>Label order and best-label choice shared by the heads.</summary>
internal static class TrainingLabels
{
    /// <summary>The distinct labels in ordinal order; rejects an empty set or an empty label.</summary>
    public static string[] Of(IReadOnlyList<LabeledText> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
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

        return [.. examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The prediction of the highest score (ties: the ordinally first label).</summary>
    public static Prediction Best(string[] labels, double[] probabilities)
    {
        var best = 0;
        var scores = new Dictionary<string, double>(labels.Length, StringComparer.Ordinal);
        for (var k = 0; k < labels.Length; k++)
        {
            scores[labels[k]] = probabilities[k];
            best = probabilities[k] > probabilities[best] ? k : best;
        }

        return new Prediction(labels[best], scores);
    }
}

/// <summary>
/// Texts to L2-normalised float vectors through an embedding generator, in batches, in order. Repeated texts are asked
/// for once (balanced samples and test sets repeat short texts).
/// </summary>
internal static class Embeddings
{
    public static async Task<float[][]> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> encoder, IReadOnlyList<string> texts,
        int batchSize, CancellationToken cancellationToken)
    {
        var distinct = texts.Distinct(StringComparer.Ordinal).ToArray();
        var byText = new Dictionary<string, float[]>(distinct.Length, StringComparer.Ordinal);
        for (var start = 0; start < distinct.Length; start += batchSize)
        {
            var batch = distinct.AsSpan(start, Math.Min(batchSize, distinct.Length - start)).ToArray();
            var embeddings = await encoder.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Length)
            {
                throw new InvalidOperationException($"The encoder returned {embeddings.Count} embeddings for {batch.Length} texts.");
            }

            for (var i = 0; i < batch.Length; i++)
            {
                var vector = embeddings[i].Vector.ToArray();
                if (vector.Length == 0 || (byText.Count > 0 && vector.Length != byText.Values.First().Length))
                {
                    throw new InvalidOperationException($"The encoder returned an embedding of {vector.Length} dimensions for text {start + i}.");
                }

                // Unit length: the regularisation rule then means the same for every encoder, whatever its scale.
                var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
                if (norm > 0)
                {
                    for (var j = 0; j < vector.Length; j++)
                    {
                        vector[j] = (float)(vector[j] / norm);
                    }
                }

                byText[batch[i]] = vector;
            }
        }

        return [.. texts.Select(t => byText[t])];
    }
}
