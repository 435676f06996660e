using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Tests.Evaluation;

/// <summary>
/// Test double for <see cref="IClassifierTrainer"/>: nearest centroid over word counts (cosine). Deterministic, tiny,
/// and good enough to tell clean training data from noisy. Counts its training calls so tests can check resuming.
/// </summary>
internal sealed class NearestCentroidTrainer : IClassifierTrainer
{
    private int _trainings;

    public string Name => "nearest-centroid";

    public int Trainings => Volatile.Read(ref _trainings);

    public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _trainings);
        var centroids = examples.GroupBy(e => e.Label, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Normalize(g.SelectMany(e => Words(e.Text))
                .GroupBy(w => w).ToDictionary(w => w.Key, w => (double)w.Count())), StringComparer.Ordinal);
        return Task.FromResult<IClassifier>(new Model(centroids));
    }

    private static IEnumerable<string> Words(string text) =>
        text.ToLowerInvariant().Split([' ', ',', '.', '?', '!'], StringSplitOptions.RemoveEmptyEntries);

    private static Dictionary<string, double> Normalize(Dictionary<string, double> vector)
    {
        var norm = Math.Sqrt(vector.Values.Sum(v => v * v));
        return vector.ToDictionary(p => p.Key, p => norm == 0 ? 0 : p.Value / norm);
    }

    private sealed class Model(Dictionary<string, Dictionary<string, double>> centroids) : IClassifier
    {
        public IReadOnlyList<string> Labels { get; } = [.. centroids.Keys];

        public Prediction Predict(string text)
        {
            var words = Words(text).ToArray();
            var scores = centroids.ToDictionary(c => c.Key, c => words.Sum(w => c.Value.GetValueOrDefault(w)), StringComparer.Ordinal);
            var sum = scores.Values.Sum();
            var probabilities = scores.ToDictionary(p => p.Key, p => sum == 0 ? 1.0 / scores.Count : p.Value / sum, StringComparer.Ordinal);
            // Ties go to the ordinally first label, so predictions never depend on dictionary order.
            var best = Labels.OrderByDescending(l => scores[l]).ThenBy(l => l, StringComparer.Ordinal).First();
            return new Prediction(best, probabilities);
        }
    }
}
