using LowResGen.Common;
using nietras.SeparatedValues;

namespace LowResGen.Data.Import;

/// <summary>CSV and TSV with a header row; quoted fields may span lines; every row must have as many fields as the header.</summary>
internal static class SeparatedRecords
{
    public static IEnumerable<RawRecord> Read(string path, char separator, ImportOptions options, long? invalidUtf8Line, CancellationToken cancellationToken)
    {
        using var text = Utf8Validation.OpenText(path);
        using var reader = Sep.Reader(o => o with { Sep = new Sep(separator), Unescape = true, DisableColCountCheck = true }).From(text);
        if (!reader.HasHeader || reader.Header.ColNames.Count == 0 || reader.Header.ColNames.All(string.IsNullOrWhiteSpace))
        {
            throw new DataFormatException(path, 1, null, "empty file: expected a header row");
        }

        var header = reader.Header.ColNames;
        if (invalidUtf8Line == 1)
        {
            throw InvalidUtf8(path, 1, header.FirstOrDefault(h => h.Contains('\uFFFD')) ?? "header");
        }

        var columns = ColumnSelection.Select(path, 1, header, options);
        var textIndex = IndexOf(header, columns.Text);
        var label = IndexOf(header, columns.Label);
        var id = columns.Id is null ? -1 : IndexOf(header, columns.Id);
        var split = columns.Split is null ? -1 : IndexOf(header, columns.Split);
        var language = columns.Language is null ? -1 : IndexOf(header, columns.Language);

        foreach (var row in reader)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = (long)row.LineNumberFrom;
            if (invalidUtf8Line is { } bad && bad >= line && bad < row.LineNumberToExcl)
            {
                throw InvalidUtf8(path, bad, FieldWithReplacementCharacter(row, header));
            }

            if (row.ColCount != header.Count)
            {
                throw new DataFormatException(path, line, row.ColCount < header.Count ? header[row.ColCount] : null,
                    $"ragged row: {row.ColCount} fields where the header has {header.Count} (separator '{(separator == '\t' ? "\\t" : separator)}')");
            }

            yield return new RawRecord(
                line,
                columns,
                row[textIndex].ToString(),
                row[label].ToString(),
                id >= 0 ? row[id].ToString() : null,
                split >= 0 ? row[split].ToString() : null,
                language >= 0 ? row[language].ToString() : null);
        }
    }

    public static DataFormatException InvalidUtf8(string path, long line, string? field) =>
        new(path, line, field, "invalid UTF-8: the file must be UTF-8 encoded (re-save it as UTF-8)");

    private static string? FieldWithReplacementCharacter(SepReader.Row row, IReadOnlyList<string> header)
    {
        for (var i = 0; i < Math.Min(row.ColCount, header.Count); i++)
        {
            if (row[i].Span.Contains('\uFFFD'))
            {
                return header[i];
            }
        }

        return null;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
