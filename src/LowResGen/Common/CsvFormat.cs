using System.Text;

namespace LowResGen.Common;

/// <summary>
/// Writing separated values the one way every LowResGen output does it (RFC 4180): a field is quoted when it holds the
/// separator, a quote, a line break, or leading or trailing white space (which readers would otherwise trim), and quotes
/// inside are doubled. Files are written atomically.
/// </summary>
public static class CsvFormat
{
    public static string Field(string value, char separator = ',') =>
        value.AsSpan().IndexOfAny([separator, '"', '\r', '\n']) >= 0 || (value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])))
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;

    public static string Row(IEnumerable<string> fields, char separator = ',') =>
        string.Join(separator, fields.Select(f => Field(f, separator)));

    /// <summary>Writes a header and rows to <paramref name="path"/> atomically, with LF line ends and no BOM.</summary>
    public static Task WriteAsync(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.Append(Row(row)).Append('\n');
        }

        return AtomicFile.WriteAllTextAsync(path, text.ToString(), cancellationToken);
    }
}
