namespace LowResGen.Experiments;

/// <summary>What a cell does.</summary>
public enum CellKind
{
    /// <summary>Evaluate the default classifier trained on gold data (the baseline every setting is compared with).</summary>
    Gold,

    /// <summary>Generate a training set with one model and strategy.</summary>
    Generate,

    /// <summary>Evaluate the default classifier trained on a generated set, over the seeds.</summary>
    Evaluate,

    /// <summary>Use the LLM itself as a classifier of the test set.</summary>
    Classify,

    /// <summary>Evaluate the default classifier on a gold set chosen without an LLM: English (transfer) or k per class (few-gold:k).</summary>
    Baseline,
}

/// <summary>
/// One unit of work of a study. <see cref="Key"/> is a hash of everything that determines its result (settings,
/// data file contents, upstream keys), so a finished cell is never redone and a changed setting redoes exactly
/// the cells it affects. <see cref="Chain"/> groups a cell with those it depends on; shards split by chain.
/// </summary>
public sealed record StudyCell(
    CellKind Kind,
    string Task,
    string Language,
    string? Model,
    string? Strategy,
    string Setting,
    string Key,
    string Chain,
    string? DependsOn)
{
    /// <summary>The training size per class of an evaluation cell (gold, evaluate, baseline); null for generation and LLM cells.</summary>
    public int? PerClass { get; init; }

    /// <summary>The student an evaluation cell trains (a `--classifier` name); null for generation and LLM cells.</summary>
    public string? Student { get; init; }

    /// <summary>What tells the cell apart from its siblings in a learning curve or a study with several students ("n8",
    /// "encoder-e5"), part of its name; null where the study has one size and one student, so that names stay as they were.</summary>
    public string? Variant { get; init; }

    /// <summary>A readable, file-system-safe name, unique within a study.</summary>
    public string Name => string.Join("__", new[] { Kind.ToString().ToLowerInvariant(), Task, Language, Model, Strategy, Setting, Variant }
        .Where(p => !string.IsNullOrEmpty(p))
        .Distinct()
        .Select(p => Sanitize(p!)));

    private static string Sanitize(string part) =>
        new(part.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
}
