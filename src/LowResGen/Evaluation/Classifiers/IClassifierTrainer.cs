namespace LowResGen.Evaluation.Classifiers;

/// <summary>A text with its label, the only thing a trainer needs to see.</summary>
public sealed record LabeledText(string Text, string Label);

/// <summary>A prediction: the best label and the score of every label (probabilities where the model has them).</summary>
public sealed record Prediction(string Label, IReadOnlyDictionary<string, double> Scores)
{
    public double Confidence => Scores.TryGetValue(Label, out var s) ? s : 0;
}

/// <summary>Fits a model on labelled texts. Deterministic for a given seed.</summary>
public interface IClassifierTrainer
{
    /// <summary>A short stable name for results tables and cache keys, including the settings that matter.</summary>
    string Name { get; }

    Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken);
}

/// <summary>A trained model. Predicting is pure and thread-safe.</summary>
public interface IClassifier
{
    IReadOnlyList<string> Labels { get; }

    Prediction Predict(string text);
}
