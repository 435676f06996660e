using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Curation;

/// <summary>
/// How much each generated text looks like real data: a classifier learns to tell the gold seed (the demonstrations)
/// from the generated set, and each generated text gets its out-of-fold probability of being real. Generated data
/// differs from real data in style and length more than in labels; this score measures exactly that gap.
/// </summary>
public static class Realism
{
    public const string RealLabel = "real";
    public const string GeneratedLabel = "generated";

    public static async Task<double[]> ScoreAsync(
        IReadOnlyList<string> generated, IReadOnlyList<string> real, IClassifierTrainer trainer, int folds, int seed, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var order = Enumerable.Range(0, generated.Count).ToArray();
        new Random(seed).Shuffle(order);
        var fold = new int[generated.Count];
        for (var k = 0; k < order.Length; k++)
        {
            fold[order[k]] = k % folds;
        }

        var realTexts = real.Select(t => new LabeledText(t, RealLabel)).ToArray();
        var scores = new double[generated.Count];
        for (var f = 0; f < folds; f++)
        {
            var training = realTexts.Concat(generated.Where((_, i) => fold[i] != f).Select(t => new LabeledText(t, GeneratedLabel))).ToArray();
            var model = await trainer.TrainAsync(training, unchecked(seed * 17 + f), cancellationToken).ConfigureAwait(false);
            var heldOut = Enumerable.Range(0, generated.Count).Where(i => fold[i] == f).ToArray();
            var predicted = await model.PredictAsync([.. heldOut.Select(i => generated[i])], cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < heldOut.Length; k++)
            {
                scores[heldOut[k]] = LabelConsistency.ScoreOf(predicted[k], RealLabel);
            }
        }

        return scores;
    }
}
