using LowResGen.Data;

namespace LowResGen.Evaluation;

/// <summary>
/// The reference protocol's balancing step: at most N examples per class, drawn with the seed.
/// Deterministic for the same input order and seed; the output keeps the input order so that it does not
/// depend on the order of draws.
/// </summary>
public static class TrainingSetSampler
{
    public static IReadOnlyList<Example> Balance(IReadOnlyList<Example> examples, int perClass, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        var random = new Random(seed);
        var keep = new HashSet<int>();
        foreach (var group in Enumerable.Range(0, examples.Count).GroupBy(i => examples[i].Label, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var indices = group.ToArray();
            random.Shuffle(indices);
            keep.UnionWith(indices.Take(perClass));
        }

        return [.. Enumerable.Range(0, examples.Count).Where(keep.Contains).Select(i => examples[i])];
    }
}
