using LowResGen.Data;

namespace LowResGen.Generation;

/// <summary>
/// Chooses the demonstrations shown in a generation prompt for one label. The random selector is the reference method;
/// other selection methods (diverse, nearest to a centroid, ...) implement this interface and plug into the runner.
/// </summary>
public interface IDemonstrationSelector
{
    /// <summary>A short stable name recorded in the provenance.</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="count"/> examples of <paramref name="label"/> for the given attempt; deterministic for a seed.</summary>
    IReadOnlyList<Example> Draw(string label, int count, int attempt, int seed);
}

/// <summary>
/// Draws k examples of the label at random from a pool, with a generator seeded by the run's seed, the label and the attempt,
/// so every attempt shows a different draw (more varied output) and a rerun shows the same ones.
/// </summary>
public sealed class RandomDemonstrationSelector : IDemonstrationSelector
{
    private readonly Dictionary<string, Example[]> _byLabel;

    public RandomDemonstrationSelector(IEnumerable<Example> pool)
    {
        _byLabel = pool.GroupBy(e => e.Label, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public string Name => "random";

    public int CountOf(string label) => _byLabel.TryGetValue(label, out var examples) ? examples.Length : 0;

    public IReadOnlyList<Example> Draw(string label, int count, int attempt, int seed)
    {
        if (count <= 0 || !_byLabel.TryGetValue(label, out var examples))
        {
            return [];
        }

        var indices = Enumerable.Range(0, examples.Length).ToArray();
        var random = new Random(StableSeed.Of(seed, label, attempt, "demonstrations"));
        random.Shuffle(indices);
        return [.. indices.Take(count).Select(i => examples[i])];
    }
}

/// <summary>Seeds derived from the run's seed and a few keys, stable across processes (string.GetHashCode is not).</summary>
internal static class StableSeed
{
    public static int Of(int seed, string key, int number, string purpose)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var c in $"{seed}\u001f{key}\u001f{number}\u001f{purpose}")
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (int)(hash & 0x7fffffff);
        }
    }
}
