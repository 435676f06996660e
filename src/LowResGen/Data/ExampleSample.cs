namespace LowResGen.Data;

/// <summary>A few examples that show what a file holds: every label before any label twice, each in file order.</summary>
public static class ExampleSample
{
    /// <summary>Sample rows shown when the caller does not say (datasets show).</summary>
    public const int DefaultRows = 10;

    public static IReadOnlyList<Example> FirstPerLabel(IReadOnlyList<Example> examples, int count)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var byLabel = examples.GroupBy(e => e.Label, StringComparer.Ordinal).Select(g => g.ToArray()).ToArray();
        var sample = new List<Example>(Math.Min(count, examples.Count));
        for (var round = 0; sample.Count < count && sample.Count < examples.Count; round++)
        {
            foreach (var group in byLabel.Where(g => round < g.Length))
            {
                if (sample.Count == count)
                {
                    break;
                }

                sample.Add(group[round]);
            }
        }

        return sample;
    }
}
