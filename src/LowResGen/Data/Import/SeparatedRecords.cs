using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>CSV and TSV with a header row; quoted fields may span lines; every row must have as many fields as the header.</summary>
internal static class SeparatedRecords
{
    public static IEnumerable<RawRecord> Read(string path, char separator, ImportOptions options, long? invalidUtf8Line, CancellationToken cancellationToken)
    {
        using var text = Utf8Validation.OpenText(path);
        using var records = new SeparatedValuesParser(text, separator, path).Records().GetEnumerator();
        if (!records.MoveNext() || records.Current.Fields.All(string.IsNullOrWhiteSpace))
        {
            throw new DataFormatException(path, 1, null, "empty file: expected a header row");
        }

        var headerRecord = records.Current;
        var header = headerRecord.Fields;
        if (invalidUtf8Line is { } badInHeader && badInHeader <= headerRecord.EndLine)
        {
            throw InvalidUtf8(path, badInHeader, header.FirstOrDefault(h => h.Contains('\uFFFD')) ?? "header");
        }

        var columns = ColumnSelection.Select(path, headerRecord.Line, header, options);
        var textIndex = Array.IndexOf(header, columns.Text);
        var label = Array.IndexOf(header, columns.Label);
        var id = columns.Id is null ? -1 : Array.IndexOf(header, columns.Id);
        var split = columns.Split is null ? -1 : Array.IndexOf(header, columns.Split);
        var language = columns.Language is null ? -1 : Array.IndexOf(header, columns.Language);

        while (records.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (line, endLine, fields) = records.Current;
            if (invalidUtf8Line is { } bad && bad >= line && bad <= endLine)
            {
                var field = Array.FindIndex(fields, f => f.Contains('\uFFFD'));
                throw InvalidUtf8(path, bad, field >= 0 && field < header.Length ? header[field] : null);
            }

            if (fields.Length != header.Length)
            {
                throw new DataFormatException(path, line, fields.Length < header.Length ? header[fields.Length] : null,
                    $"ragged row: {fields.Length} fields where the header has {header.Length} (separator '{(separator == '\t' ? "\\t" : separator)}')");
            }

            yield return new RawRecord(
                line,
                columns,
                fields[textIndex],
                fields[label],
                id >= 0 ? fields[id] : null,
                split >= 0 ? fields[split] : null,
                language >= 0 ? fields[language] : null);
        }
    }

    public static DataFormatException InvalidUtf8(string path, long line, string? field) =>
        new(path, line, field, "invalid UTF-8: the file must be UTF-8 encoded (re-save it as UTF-8)");
}
