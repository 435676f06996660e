namespace LowResGen.Evaluation.Classifiers;

/// <summary>A text with its label, the only thing a trainer needs to see.</summary>
public sealed record LabeledText(string Text, string Label);

/// <summary>
/// A prediction: the best label and the score of every label (probabilities where the model has them). A classifier
/// that can fail to name a label (an LLM's unmappable answer) predicts <see cref="NoLabel"/>: wrong, and counted.
/// </summary>
public sealed record Prediction(string Label, IReadOnlyDictionary<string, double> Scores)
{
    /// <summary>The label of a prediction that names none; never a task label, never a class of the macro-F1.</summary>
    public const string NoLabel = "(unmappable)";

    public double Confidence => Scores.TryGetValue(Label, out var s) ? s : 0;

    public bool HasLabel => Label != NoLabel;

    /// <summary>The model's raw answer where it wrote one (LLM classifiers); null for models that only score.</summary>
    public string? Answer { get; init; }

    public static Prediction None(string? answer) => new(NoLabel, new Dictionary<string, double>()) { Answer = answer };
}

/// <summary>
/// Fits a model on labelled texts. Deterministic for a given seed. Every student is one: the n-gram model, encoder
/// heads, the fusion model, and the LLM as a classifier (whose "fit" is its seeded draw of demonstrations).
/// </summary>
public interface IClassifierTrainer
{
    /// <summary>A short stable name for results tables and cache keys, including the settings that matter.</summary>
    string Name { get; }

    /// <summary>False for a trainer whose model does not depend on the seed (zero-shot): the protocol runs it under one seed.</summary>
    bool UsesSeed => true;

    /// <summary>False for a trainer that needs no training examples (zero-shot).</summary>
    bool NeedsTrainingData => true;

    Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken);
}

/// <summary>A trained model. Predicting is pure and thread-safe.</summary>
public interface IClassifier
{
    IReadOnlyList<string> Labels { get; }

    /// <summary>One text. Models behind a service (encoders, LLMs) block here; the protocol uses <see cref="PredictAsync"/>.</summary>
    Prediction Predict(string text);

    /// <summary>
    /// Many texts at once, in order: the one prediction interface of the evaluation protocol. Models that embed or ask a
    /// service batch here; in-memory models keep the default, one text after another.
    /// </summary>
    Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<Prediction>>(() =>
        {
            var predictions = new Prediction[texts.Count];
            for (var i = 0; i < texts.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                predictions[i] = Predict(texts[i]);
            }

            return predictions;
        }, cancellationToken);
}
