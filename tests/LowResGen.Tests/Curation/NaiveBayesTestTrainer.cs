using LowResGen.Curation;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Tests.Curation;

/// <summary>A tiny multinomial naive Bayes over words, standing in for the real classifier in curation tests.</summary>
internal sealed class NaiveBayesTestTrainer : IClassifierTrainer
{
    public string Name => "test-naive-bayes";

    public int TrainCalls { get; private set; }

    public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        TrainCalls++;
        var counts = examples.GroupBy(e => e.Label).ToDictionary(
            g => g.Key,
            g => g.SelectMany(e => TextShingles.Words(e.Text)).GroupBy(w => w).ToDictionary(w => w.Key, w => w.Count()));
        return Task.FromResult<IClassifier>(new Model(counts));
    }

    private sealed class Model(Dictionary<string, Dictionary<string, int>> counts) : IClassifier
    {
        private readonly int _vocabulary = counts.Values.SelectMany(c => c.Keys).Distinct().Count();

        public IReadOnlyList<string> Labels { get; } = [.. counts.Keys.Order(StringComparer.Ordinal)];

        public Prediction Predict(string text)
        {
            var words = TextShingles.Words(text);
            var log = Labels.ToDictionary(l => l, l =>
            {
                var c = counts[l];
                var total = c.Values.Sum();
                return words.Sum(w => Math.Log((c.GetValueOrDefault(w) + 1.0) / (total + _vocabulary)));
            });
            var max = log.Values.Max();
            var sum = log.Values.Sum(v => Math.Exp(v - max));
            var scores = log.ToDictionary(kv => kv.Key, kv => Math.Exp(kv.Value - max) / sum);
            return new Prediction(scores.MaxBy(kv => kv.Value).Key, scores);
        }
    }
}
