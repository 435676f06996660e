using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Curation;

/// <summary>
/// Label consistency through classifiers: out-of-fold predictions of a classifier trained on the set itself (an example
/// that the rest of its set assigns to another class probably belongs there), and predictions of a classifier trained on
/// a few gold examples.
/// </summary>
public static class LabelConsistency
{
    /// <summary>Predicts every example with a model trained on the other folds. Folds are stratified by label and
    /// drawn with the seed.</summary>
    public static async Task<Prediction[]> OutOfFoldAsync(
        IReadOnlyList<LabeledText> examples, IClassifierTrainer trainer, int folds, int seed, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var fold = new int[examples.Count];
        var random = new Random(seed);
        foreach (var group in Enumerable.Range(0, examples.Count).GroupBy(i => examples[i].Label, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var indices = group.ToArray();
            random.Shuffle(indices);
            for (var k = 0; k < indices.Length; k++)
            {
                fold[indices[k]] = k % folds;
            }
        }

        var predictions = new Prediction[examples.Count];
        for (var f = 0; f < folds; f++)
        {
            var train = examples.Where((_, i) => fold[i] != f).ToArray();
            var heldOut = Enumerable.Range(0, examples.Count).Where(i => fold[i] == f).ToArray();
            if (heldOut.Length == 0 || train.Length == 0)
            {
                continue;
            }

            var model = await trainer.TrainAsync(train, unchecked(seed * 31 + f), cancellationToken).ConfigureAwait(false);
            var predicted = await model.PredictAsync([.. heldOut.Select(i => examples[i].Text)], cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < heldOut.Length; k++)
            {
                predictions[heldOut[k]] = predicted[k];
            }
        }

        return predictions;
    }

    /// <summary>Predicts the texts with a model trained on the given (gold seed) examples.</summary>
    public static async Task<Prediction[]> PredictAsync(
        IReadOnlyList<LabeledText> training, IReadOnlyList<string> texts, IClassifierTrainer trainer, int seed, CancellationToken cancellationToken)
    {
        var model = await trainer.TrainAsync(training, seed, cancellationToken).ConfigureAwait(false);
        return [.. await model.PredictAsync(texts, cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>The score of a label in a prediction (0 when the model does not know the label).</summary>
    public static double ScoreOf(Prediction prediction, string label) =>
        prediction.Scores.TryGetValue(label, out var score) ? score : 0;
}
