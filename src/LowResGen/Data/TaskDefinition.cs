namespace LowResGen.Data;

/// <summary>
/// A classification task: its name, its ordered label set (the values stored in data files, which may be "0"/"1"),
/// optional human-written label descriptions (keyed by value), what a label is called in prompts (<see cref="LabelKind"/>),
/// optional display names shown to an LLM instead of the values, and optional length limits for generated examples.
/// Built-in tasks live in <see cref="BuiltInTasks"/>, others in task files (<see cref="TaskFile"/>); <see cref="TaskResolver"/> finds either.
/// </summary>
public sealed record TaskDefinition(
    string Name,
    IReadOnlyList<string> Labels,
    IReadOnlyDictionary<string, string>? Descriptions = null,
    string LabelKind = "label")
{
    /// <summary>The name an LLM sees for each label value ("sarcastic" for "1"); a value without one is shown as itself.</summary>
    public IReadOnlyDictionary<string, string>? DisplayNames { get; init; }

    /// <summary>Shortest accepted generated example in characters (null: the default for <see cref="LabelKind"/>).</summary>
    public int? MinLength { get; init; }

    /// <summary>Longest accepted generated example in characters (null: the default for <see cref="LabelKind"/>).</summary>
    public int? MaxLength { get; init; }

    /// <summary>The accepted length of generated examples: the task's own limits, else the default for its kind of label.</summary>
    public Common.LengthRange GeneratedLength
    {
        get
        {
            var byKind = Common.LengthRange.DefaultFor(LabelKind);
            var min = MinLength ?? byKind.MinCharacters;
            return new Common.LengthRange(min, Math.Max(MaxLength ?? byKind.MaxCharacters, min));
        }
    }

    /// <summary>The task file this task was read from; null for a built-in task.</summary>
    public string? SourceFile { get; init; }

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

    /// <summary>The name prompts use for a label value.</summary>
    public string DisplayNameOf(string label) =>
        DisplayNames is not null && DisplayNames.TryGetValue(label, out var name) ? name : label;

    /// <summary>Whether any label is shown to an LLM under another name than its value.</summary>
    public bool HasDisplayNames => Labels.Any(l => !string.Equals(DisplayNameOf(l), l, StringComparison.Ordinal));

    /// <summary>The label value of a display name (or of a value), case-insensitively; null when it names no label.</summary>
    public string? LabelOf(string displayNameOrValue)
    {
        var trimmed = displayNameOrValue.Trim();
        return Labels.FirstOrDefault(l => string.Equals(l, trimmed, StringComparison.Ordinal))
            ?? Labels.FirstOrDefault(l => string.Equals(DisplayNameOf(l), trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The task as an LLM sees it: display names as labels and descriptions keyed by them. Prompts, answer mapping and
    /// choice lists use this view; <see cref="LabelOf"/> turns its labels back into the values written to outputs.
    /// </summary>
    public TaskDefinition ForPrompts() => !HasDisplayNames ? this : this with
    {
        Labels = [.. Labels.Select(DisplayNameOf)],
        Descriptions = Descriptions?.Where(d => HasLabel(d.Key)).ToDictionary(d => DisplayNameOf(d.Key), d => d.Value, StringComparer.Ordinal),
        DisplayNames = null,
    };
}
