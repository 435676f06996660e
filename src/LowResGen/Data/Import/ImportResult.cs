namespace LowResGen.Data.Import;

/// <summary>Something the importer skipped or repaired on purpose, counted and reported rather than fatal.</summary>
public sealed record ImportWarning(string File, long? Line, string? Field, string Message);

/// <summary>The examples read from one file and the warnings collected on the way.</summary>
public sealed record ImportResult(IReadOnlyList<Example> Examples, IReadOnlyList<ImportWarning> Warnings);

/// <summary>How to read one example file. Column names default to what the known layouts use.</summary>
public sealed record ImportOptions
{
    /// <summary>Language code of the texts (any code the registry knows); stored as ISO 639-1.</summary>
    public string Language { get; init; } = "";

    public string Split { get; init; } = Splits.Train;

    /// <summary>Where the examples come from; defaults to the file name.</summary>
    public string? Source { get; init; }

    /// <summary>Text column; null means the first of text, sentence, utt.</summary>
    public string? TextColumn { get; init; }

    /// <summary>Label column; null means the first of intent, label_name, category, label.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Id column; null means the first of id, index_id; otherwise ids are file:line.</summary>
    public string? IdColumn { get; init; }

    /// <summary>When set, a label outside the task's label set is an error.</summary>
    public TaskDefinition? Task { get; init; }
}
