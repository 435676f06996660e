using LowResGen.Common;
using nietras.SeparatedValues;

namespace LowResGen.Data.Import;

/// <summary>
/// Reads example files. Separated-values files (CSV, TSV: SIB-200 splits, the kinit-synthetic layout, the reference
/// generator's output) are read by header; an empty or whitespace-only text is skipped with a counted warning.
/// </summary>
public static class ExampleFiles
{
    private static readonly string[] TextColumns = ["text", "sentence", "utt"];
    private static readonly string[] LabelColumns = ["intent", "label_name", "category", "label"];
    private static readonly string[] IdColumns = ["id", "index_id"];

    public static Task<ImportResult> ReadAsync(string path, ImportOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "file not found");
        }

        return Task.Run(() => ReadSeparated(path, options, cancellationToken), cancellationToken);
    }

    private static ImportResult ReadSeparated(string path, ImportOptions options, CancellationToken cancellationToken)
    {
        var language = string.IsNullOrWhiteSpace(options.Language)
            ? ""
            : LanguageRegistry.Default.Resolve(options.Language).Iso1;
        var source = options.Source ?? Path.GetFileName(path);
        var examples = new List<Example>();
        var warnings = new List<ImportWarning>();

        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var header = reader.Header.ColNames;
        var textIndex = FindColumn(path, header, options.TextColumn, TextColumns, "text");
        var labelIndex = FindColumn(path, header, options.LabelColumn, LabelColumns, "label");
        var idIndex = options.IdColumn is not null
            ? FindColumn(path, header, options.IdColumn, [], "id")
            : IndexOfAny(header, IdColumns);

        foreach (var row in reader)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = row.LineNumberFrom;
            var text = row[textIndex].ToString().Trim();
            var label = row[labelIndex].ToString().Trim();
            if (text.Length == 0)
            {
                warnings.Add(new ImportWarning(path, line, header[textIndex], "empty text, row skipped"));
                continue;
            }

            if (options.Task is { } task && !task.HasLabel(label))
            {
                throw new DataFormatException(path, line, header[labelIndex],
                    $"unknown label '{label}' for task {task.Name} (expected one of: {string.Join(", ", task.Labels)})");
            }

            var id = idIndex >= 0 ? row[idIndex].ToString().Trim() : $"{Path.GetFileName(path)}:{line}";
            examples.Add(new Example(id, text, label, language, options.Split, source));
        }

        return new ImportResult(examples, warnings);
    }

    private static int FindColumn(string path, IReadOnlyList<string> header, string? wanted, string[] candidates, string role)
    {
        if (wanted is not null)
        {
            for (var i = 0; i < header.Count; i++)
            {
                if (string.Equals(header[i], wanted, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            throw new DataFormatException(path, 1, wanted, $"missing {role} column '{wanted}' (columns: {string.Join(", ", header)})");
        }

        var index = IndexOfAny(header, candidates);
        return index >= 0
            ? index
            : throw new DataFormatException(path, 1, role,
                $"no {role} column: expected one of {string.Join(", ", candidates)} (columns: {string.Join(", ", header)})");
    }

    private static int IndexOfAny(IReadOnlyList<string> header, string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            for (var i = 0; i < header.Count; i++)
            {
                if (string.Equals(header[i], candidate, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }

        return -1;
    }
}
