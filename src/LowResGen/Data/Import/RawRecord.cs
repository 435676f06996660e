using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>
/// One row of any format, reduced to the fields an example needs. A null field means the row lacks it
/// (possible in JSONL); <see cref="Line"/> is where the row starts (the row number for Parquet); <see cref="Columns"/> names the fields.
/// </summary>
internal sealed record RawRecord(long Line, ColumnSelection Columns, string? Text, string? Label, string? Id, string? Split, string? Language);

/// <summary>The columns chosen for one file, spelled as in the file.</summary>
internal sealed record ColumnSelection(string Text, string Label, string? Id, string? Split, string? Language)
{
    private static readonly string[] TextColumns = ["text", "sentence", "utt"];
    private static readonly string[] LabelColumns = ["intent", "label_name", "category", "label"];
    private static readonly string[] IdColumns = ["id", "index_id"];
    private static readonly string[] SplitColumns = ["split", "partition"];
    private static readonly string[] LanguageColumns = ["language", "locale", "lang"];

    /// <summary>Picks the columns from the names the file has; a column the user named or the text/label column missing is an error.</summary>
    public static ColumnSelection Select(string path, long? headerLine, IReadOnlyList<string> columns, ImportOptions options) => new(
        Required(path, headerLine, columns, options.TextColumn, TextColumns, "text"),
        Required(path, headerLine, columns, options.LabelColumn, LabelColumns, "label"),
        Optional(path, headerLine, columns, options.IdColumn, IdColumns, "id"),
        Optional(path, headerLine, columns, options.SplitColumn, SplitColumns, "split"),
        string.IsNullOrWhiteSpace(options.Language)
            ? Optional(path, headerLine, columns, options.LanguageColumn, LanguageColumns, "language")
            : null);

    private static string Required(string path, long? line, IReadOnlyList<string> columns, string? wanted, string[] candidates, string role) =>
        Optional(path, line, columns, wanted, candidates, role)
        ?? throw new DataFormatException(path, line, role,
            $"no {role} column: expected one of {string.Join(", ", candidates)} or one named with the {role} column option (columns: {Describe(columns)})");

    private static string? Optional(string path, long? line, IReadOnlyList<string> columns, string? wanted, string[] candidates, string role)
    {
        if (wanted is not null)
        {
            return Find(columns, wanted)
                ?? throw new DataFormatException(path, line, wanted, $"missing {role} column '{wanted}' (columns: {Describe(columns)})");
        }

        return candidates.Select(candidate => Find(columns, candidate)).FirstOrDefault(found => found is not null);
    }

    private static string? Find(IReadOnlyList<string> columns, string name) =>
        columns.FirstOrDefault(c => string.Equals(c, name, StringComparison.Ordinal))
        ?? columns.FirstOrDefault(c => string.Equals(c.Trim(), name, StringComparison.OrdinalIgnoreCase));

    private static string Describe(IReadOnlyList<string> columns) =>
        columns.Count == 0 ? "none" : string.Join(", ", columns.Select(c => c.Length == 0 ? "(unnamed)" : c));
}
