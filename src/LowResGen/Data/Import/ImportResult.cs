namespace LowResGen.Data.Import;

/// <summary>Something the importer skipped or repaired on purpose, counted and reported rather than fatal.</summary>
public sealed record ImportWarning(string File, long? Line, string? Field, string Message);

/// <summary>
/// The examples read from one file and the warnings collected on the way. <see cref="Filtered"/> counts rows left out
/// on purpose (a label outside the task when <see cref="ImportOptions.LabelsOutsideTask"/> is Skip, a split not asked for).
/// </summary>
public sealed record ImportResult(IReadOnlyList<Example> Examples, IReadOnlyList<ImportWarning> Warnings)
{
    public int Filtered { get; init; }

    /// <summary>Several results as one (e.g. the train, dev and test files of one language).</summary>
    public static ImportResult Combine(IEnumerable<ImportResult> results)
    {
        var all = results.ToList();
        return new ImportResult([.. all.SelectMany(r => r.Examples)], [.. all.SelectMany(r => r.Warnings)])
        {
            Filtered = all.Sum(r => r.Filtered),
        };
    }
}

/// <summary>The file formats <see cref="ExampleFiles"/> reads; Auto picks by extension (.csv, .tsv, .jsonl/.json, .parquet).</summary>
public enum ExampleFileFormat
{
    Auto,
    Csv,
    Tsv,
    Jsonl,
    Parquet,
}

/// <summary>What to do with a row whose label is not in <see cref="ImportOptions.Task"/>.</summary>
public enum OutsideTaskLabelPolicy
{
    /// <summary>Stop with an error naming file, line and field: the data does not fit the task.</summary>
    Error,

    /// <summary>Leave the row out and count it in <see cref="ImportResult.Filtered"/> (e.g. MASSIVE's 60 intents filtered to 10).</summary>
    Skip,
}

/// <summary>How to read one example file. Column names default to what the known layouts use.</summary>
public sealed record ImportOptions
{
    /// <summary>Language code of the texts (any code the registry knows); stored as ISO 639-1. Empty: taken from a language/locale column if any.</summary>
    public string Language { get; init; } = "";

    /// <summary>Split of every row, unless the file has a split column (split, partition).</summary>
    public string Split { get; init; } = Splits.Train;

    /// <summary>Where the examples come from; defaults to the file name.</summary>
    public string? Source { get; init; }

    /// <summary>Format of the file; Auto decides by extension.</summary>
    public ExampleFileFormat Format { get; init; } = ExampleFileFormat.Auto;

    /// <summary>Text column; null means the first of text, sentence, utt.</summary>
    public string? TextColumn { get; init; }

    /// <summary>Label column; null means the first of intent, label_name, category, label.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Id column; null means the first of id, index_id; otherwise ids are file:line.</summary>
    public string? IdColumn { get; init; }

    /// <summary>Split column; null means split or partition when present (values train, dev/validation, test).</summary>
    public string? SplitColumn { get; init; }

    /// <summary>Language column, used when <see cref="Language"/> is empty; null means language, locale or lang when present.</summary>
    public string? LanguageColumn { get; init; }

    /// <summary>When set, a label outside the task's label set is an error (or skipped, see <see cref="LabelsOutsideTask"/>).</summary>
    public TaskDefinition? Task { get; init; }

    public OutsideTaskLabelPolicy LabelsOutsideTask { get; init; } = OutsideTaskLabelPolicy.Error;

    /// <summary>When set, only rows of these splits are kept; the others are counted as filtered.</summary>
    public IReadOnlySet<string>? KeepSplits { get; init; }
}
