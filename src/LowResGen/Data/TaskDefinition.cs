namespace LowResGen.Data;

/// <summary>A classification task: its name, its ordered label set and optional human-written label descriptions.</summary>
public sealed record TaskDefinition(
    string Name,
    IReadOnlyList<string> Labels,
    IReadOnlyDictionary<string, string>? Descriptions = null,
    string LabelKind = "label")
{
    public int IndexOf(string label)
    {
        for (var i = 0; i < Labels.Count; i++)
        {
            if (string.Equals(Labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public bool HasLabel(string label) => IndexOf(label) >= 0;

    public string? DescriptionOf(string label) =>
        Descriptions is not null && Descriptions.TryGetValue(label, out var d) ? d : null;
}
