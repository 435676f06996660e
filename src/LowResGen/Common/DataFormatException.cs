namespace LowResGen.Common;

/// <summary>
/// Bad input in a data file. The message always names the file, and the line and field when they are known,
/// so the user can open the file at the right place.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long? line, string? field, string problem, Exception? inner = null)
        : base(Format(Excerpt.Of(file), line, field is null ? null : Excerpt.Of(field), problem), inner)
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public string File { get; }

    public long? Line { get; }

    public string? Field { get; }

    public string Problem { get; }

    private static string Format(string file, long? line, string? field, string problem)
    {
        var where = file;
        if (line is not null)
        {
            where += $":{line}";
        }

        if (field is not null)
        {
            where += $" (field '{field}')";
        }

        // The problem may quote a value from the file (a line, a label, a header): keep messages one readable line.
        return $"{where}: {Excerpt.Of(problem, 2 * Excerpt.DefaultLength)}";
    }
}
