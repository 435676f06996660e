using LowResGen.Data;
using LowResGen.Evaluation;

namespace LowResGen.LlmClassification;

/// <summary>
/// Draws the k-shot demonstrations: exactly k examples of every label from a pool (gold or generated), with the seed,
/// in a seeded shuffled order so that no label always sits last (next to the text to classify).
/// </summary>
public static class DemonstrationSampler
{
    public static IReadOnlyList<Example> Sample(IReadOnlyList<Example> pool, TaskDefinition task, int perLabel, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perLabel);
        var usable = pool.Where(e => task.HasLabel(e.Label) && !string.IsNullOrWhiteSpace(e.Text)).ToArray();
        var missing = task.Labels
            .Select(l => (Label: l, Count: usable.Count(e => string.Equals(e.Label, l, StringComparison.Ordinal))))
            .Where(x => x.Count < perLabel)
            .ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"Not enough demonstrations for {perLabel}-shot: " + string.Join(", ", missing.Select(x => $"{x.Label} has {x.Count}")),
                nameof(pool));
        }

        var chosen = TrainingSetSampler.Balance(usable, perLabel, seed).ToArray();
        new Random(seed).Shuffle(chosen);
        return chosen;
    }
}
