using System.Globalization;
using System.Text;
using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>
/// Reads example files (CSV, TSV, JSONL, Parquet: SIB-200 splits, MASSIVE locale files, the kinit-synthetic layout,
/// the reference generator's output, or any file with named text and label columns) and writes the reference CSV layout.
/// </summary>
/// <remarks>
/// Policy for bad input: a missing column, an empty label, a label outside the task, a ragged row, invalid UTF-8,
/// invalid JSON and a duplicate id are errors (<see cref="DataFormatException"/> naming file, line and field);
/// an empty or whitespace-only text is skipped with a counted warning. A UTF-8 BOM and CRLF line ends are accepted;
/// line ends inside texts are normalised to LF and texts are trimmed.
/// </remarks>
public static class ExampleFiles
{
    /// <summary>Reads a file with the default options (columns found by name, split train, no task check).</summary>
    public static Task<ImportResult> ReadAsync(string path, CancellationToken cancellationToken) =>
        ReadAsync(path, new ImportOptions(), cancellationToken);

    public static async Task<ImportResult> ReadAsync(string path, ImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, null, null, "is a directory, not a data file");
        }

        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "file not found");
        }

        var format = options.Format == ExampleFileFormat.Auto ? await DetectFormatAsync(path, cancellationToken).ConfigureAwait(false) : options.Format;
        return await Task.Run(async () =>
        {
            IEnumerable<RawRecord> records;
            if (format == ExampleFileFormat.Parquet)
            {
                records = await ParquetRecords.ReadAsync(path, options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var invalid = await Utf8Validation.FindInvalidAsync(path, cancellationToken).ConfigureAwait(false);
                records = format == ExampleFileFormat.Jsonl
                    ? JsonLinesRecords.Read(path, options, invalid?.Line, cancellationToken)
                    : SeparatedRecords.Read(path, format == ExampleFileFormat.Tsv ? '\t' : ',', options, invalid?.Line, cancellationToken);
            }

            return Build(path, records, options);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes examples in the reference layout <c>text,intent</c> (the label, whatever the task) plus the extra columns
    /// asked for, atomically (nothing appears under <paramref name="path"/> unless the whole file was written).
    /// </summary>
    public static Task WriteCsvAsync(string path, IEnumerable<Example> examples, CsvWriteOptions? options, CancellationToken cancellationToken)
    {
        options ??= new CsvWriteOptions();
        var extra = options.ExtraColumns;
        if (extra.Contains(ExampleColumn.LabelIndex) && options.Task is null)
        {
            throw new ArgumentException("The label index column needs a task (CsvWriteOptions.Task).", nameof(options));
        }

        return AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var separator = options.Separator;
            await writer.WriteLineAsync(string.Join(separator, ["text", options.LabelColumn, .. extra.Select(ColumnName)])).ConfigureAwait(false);
            foreach (var example in examples)
            {
                ct.ThrowIfCancellationRequested();
                var fields = new List<string> { example.Text, example.Label };
                fields.AddRange(extra.Select(column => column switch
                {
                    ExampleColumn.Id => example.Id,
                    ExampleColumn.LabelIndex => LabelIndex(options.Task!, example),
                    ExampleColumn.Language => example.Language,
                    ExampleColumn.Split => example.Split,
                    ExampleColumn.Source => example.Source,
                    _ => throw new ArgumentOutOfRangeException(nameof(options), column, "unknown column"),
                }));
                await writer.WriteLineAsync(CsvFormat.Row(fields, separator)).ConfigureAwait(false);
            }
        }, cancellationToken);
    }

    /// <summary>The format of a file: by extension, else by content (Parquet magic, a JSON object, a tab in the header).</summary>
    public static async Task<ExampleFileFormat> DetectFormatAsync(string path, CancellationToken cancellationToken)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".csv":
                return ExampleFileFormat.Csv;
            case ".tsv" or ".tab":
                return ExampleFileFormat.Tsv;
            case ".jsonl" or ".ndjson" or ".json":
                return ExampleFileFormat.Jsonl;
            case ".parquet" or ".pq":
                return ExampleFileFormat.Parquet;
        }

        var head = new byte[4096];
        int read;
        await using (var stream = File.OpenRead(path))
        {
            read = await stream.ReadAsync(head, cancellationToken).ConfigureAwait(false);
        }

        var start = head.AsSpan(0, read);
        if (start.StartsWith("PAR1"u8))
        {
            return ExampleFileFormat.Parquet;
        }

        var text = Encoding.UTF8.GetString(start).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        var firstLine = text.Split('\n')[0];
        return text.StartsWith('{') ? ExampleFileFormat.Jsonl
            : firstLine.Contains('\t') ? ExampleFileFormat.Tsv
            : ExampleFileFormat.Csv;
    }

    /// <summary>Maps the split names datasets use (validation, dev, training, ...) to <see cref="Splits"/>.</summary>
    public static string NormalizeSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => Splits.Train,
        "dev" or "validation" or "valid" or "val" => Splits.Dev,
        "test" or "testing" => Splits.Test,
        var other => other,
    };

    private static ImportResult Build(string path, IEnumerable<RawRecord> records, ImportOptions options)
    {
        var fileName = Path.GetFileName(path);
        var language = string.IsNullOrWhiteSpace(options.Language) ? null : LanguageRegistry.Default.Resolve(options.Language).Code;
        var source = options.Source ?? fileName;
        var examples = new List<Example>();
        var warnings = new List<ImportWarning>();
        var idLines = new Dictionary<string, long>(StringComparer.Ordinal);
        var filtered = 0;
        foreach (var record in records)
        {
            var names = record.Columns;
            var line = record.Line;
            var split = string.IsNullOrWhiteSpace(record.Split) ? options.Split : NormalizeSplit(record.Split);
            if (options.KeepSplits is { } keep && !keep.Contains(split))
            {
                filtered++;
                continue;
            }

            var text = NormalizeText(record.Text ?? throw Missing(path, line, names.Text));
            if (text.Length == 0)
            {
                warnings.Add(new ImportWarning(path, line, names.Text, "empty text, row skipped"));
                continue;
            }

            var label = (record.Label ?? throw Missing(path, line, names.Label)).Trim();
            if (label.Length == 0)
            {
                throw new DataFormatException(path, line, names.Label, "empty label");
            }

            if (options.Task is { } shownTask && !shownTask.HasLabel(label) && shownTask.LabelOf(label) is { } value)
            {
                label = value; // the data spells a label by its display name ("sarcastic" for 1)
            }

            if (options.Task is { } task && !task.HasLabel(label))
            {
                if (options.LabelsOutsideTask == OutsideTaskLabelPolicy.Skip)
                {
                    filtered++;
                    continue;
                }

                throw new DataFormatException(path, line, names.Label,
                    $"unknown label '{label}' for task {task.Name}{(task.SourceFile is { } file ? $" ({file})" : "")} (expected one of: {string.Join(", ", task.Labels)})");
            }

            var id = record.Id?.Trim() is { Length: > 0 } given ? given : $"{fileName}:{line}";
            if (!idLines.TryAdd(id, line))
            {
                throw new DataFormatException(path, line, names.Id ?? "id", $"duplicate id '{id}' (first used on line {idLines[id]})");
            }

            examples.Add(new Example(id, text, label, language ?? LanguageOf(record.Language), split, source));
        }

        if (examples.Count == 0 && filtered == 0 && warnings.Count == 0)
        {
            // Nothing to read at all (a header and no rows): say which file, before some later step reports "no examples".
            throw new DataFormatException(path, null, null, "no data rows (the file is empty or has only a header)");
        }

        return new ImportResult(examples, warnings) { Filtered = filtered };
    }

    private static string LanguageOf(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return "";
        }

        // Locales the registry does not know (MASSIVE has 51) keep their language part: ja-JP -> ja.
        return LanguageRegistry.Default.TryResolve(code, out var known) ? known.Code : code.Trim().Split('-', '_')[0].ToLowerInvariant();
    }

    private static string NormalizeText(string text) => text.ReplaceLineEndings("\n").Trim();

    private static DataFormatException Missing(string path, long line, string field) =>
        new(path, line, field, $"missing field '{field}'");

    private static string LabelIndex(TaskDefinition task, Example example)
    {
        var index = task.IndexOf(example.Label);
        return index >= 0
            ? index.ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentException($"Example {example.Id} has label '{example.Label}', which task {task.Name} does not have.");
    }

    private static string ColumnName(ExampleColumn column) => column switch
    {
        ExampleColumn.Id => "id",
        ExampleColumn.LabelIndex => "label",
        ExampleColumn.Language => "language",
        ExampleColumn.Split => "split",
        ExampleColumn.Source => "source",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "unknown column"),
    };
}

/// <summary>Extra columns <see cref="ExampleFiles.WriteCsvAsync"/> can add after <c>text,intent</c>.</summary>
public enum ExampleColumn
{
    Id,

    /// <summary>The label's index in the task's label list, as column <c>label</c> (the reference study's layout).</summary>
    LabelIndex,
    Language,
    Split,
    Source,
}

public sealed record CsvWriteOptions
{
    public IReadOnlyList<ExampleColumn> ExtraColumns { get; init; } = [];

    /// <summary>Needed for <see cref="ExampleColumn.LabelIndex"/>.</summary>
    public TaskDefinition? Task { get; init; }

    public char Separator { get; init; } = ',';

    /// <summary>The label column's name: intent (the reference layout, read by every command) unless a user chooses another.</summary>
    public string LabelColumn { get; init; } = DefaultLabelColumn;

    public const string DefaultLabelColumn = "intent";
}
