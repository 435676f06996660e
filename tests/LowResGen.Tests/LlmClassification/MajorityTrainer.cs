using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Tests.LlmClassification;

/// <summary>Predicts the training set's most frequent label (ties: the first label in ordinal order).</summary>
internal sealed class MajorityTrainer : IClassifierTrainer
{
    public string Name => "majority";

    public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        var labels = examples.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        var top = labels.MaxBy(l => examples.Count(e => e.Label == l))!;
        return Task.FromResult<IClassifier>(new Constant(labels, top));
    }

    private sealed class Constant(IReadOnlyList<string> labels, string label) : IClassifier
    {
        public IReadOnlyList<string> Labels => labels;

        public Prediction Predict(string text) => new(label, new Dictionary<string, double> { [label] = 1 });
    }
}
