using System.Text;
using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>One CSV/TSV record: its fields and the lines it spans (a quoted field may hold line breaks).</summary>
internal sealed record SeparatedRecord(long Line, long EndLine, string[] Fields);

/// <summary>
/// RFC 4180 records, read the way Python's csv module and pandas read them: a quote opens a quoted field only at the
/// start of a field (so <c>the 5" screen</c> is literal text), <c>""</c> inside quotes is one quote, text after a closing
/// quote is kept, line ends are LF, CRLF or CR, and blank lines are skipped. An unterminated quote is an error naming
/// the line where it opened, instead of silently swallowing the rest of the file.
/// </summary>
internal sealed class SeparatedValuesParser(TextReader reader, char separator, string path)
{
    private readonly StringBuilder _field = new();
    private long _line = 1;

    public IEnumerable<SeparatedRecord> Records()
    {
        var fields = new List<string>();
        while (reader.Peek() >= 0)
        {
            var start = _line;
            fields.Clear();
            var quoted = false;
            int last;
            do
            {
                (last, var wasQuoted) = ReadField(fields.Count);
                quoted |= wasQuoted;
                fields.Add(_field.ToString());
            }
            while (last == separator);

            var end = _line;
            if (last == '\r' && reader.Peek() == '\n')
            {
                reader.Read();
            }

            if (last >= 0)
            {
                _line++;
            }

            if (fields.Count == 1 && fields[0].Length == 0 && !quoted)
            {
                continue;
            }

            yield return new SeparatedRecord(start, end, [.. fields]);
        }
    }

    /// <summary>Reads one field into the buffer; returns the character that ended it (separator, CR, LF or -1) and whether it was quoted.</summary>
    private (int Terminator, bool Quoted) ReadField(int index)
    {
        _field.Clear();
        var ch = reader.Read();
        var quoted = ch == '"';
        if (quoted)
        {
            var opened = _line;
            while (true)
            {
                ch = reader.Read();
                if (ch < 0)
                {
                    throw new DataFormatException(path, opened, $"#{index + 1}", "unterminated quoted field: the closing quote is missing");
                }

                if (ch == '"')
                {
                    if (reader.Peek() != '"')
                    {
                        break;
                    }

                    reader.Read();
                }
                else if (ch == '\n' || (ch == '\r' && reader.Peek() != '\n'))
                {
                    _line++;
                }

                _field.Append((char)ch);
            }

            ch = reader.Read();
        }

        while (ch >= 0 && ch != separator && ch != '\n' && ch != '\r')
        {
            _field.Append((char)ch);
            ch = reader.Read();
        }

        return (ch, quoted);
    }
}
