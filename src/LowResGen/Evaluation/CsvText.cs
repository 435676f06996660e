using System.Globalization;
using LowResGen.Common;
using nietras.SeparatedValues;

namespace LowResGen.Evaluation;

/// <summary>The few CSV helpers the evaluation outputs need: RFC 4180 quoting, invariant round-trip numbers, header checks.</summary>
internal static class CsvText
{
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static SepReader Open(string path) => Sep.Reader(o => o with { Unescape = true, Sep = new Sep(',') }).FromFile(path);

    /// <summary>The column's index, or -1 when the file has no such column.</summary>
    public static int OptionalColumn(SepReader reader, string name)
    {
        var header = reader.Header.ColNames;
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    public static int Column(string path, SepReader reader, string name)
    {
        var index = OptionalColumn(reader, name);
        return index >= 0 ? index : throw new DataFormatException(path, 1, name,
            $"missing column '{name}' (columns: {string.Join(", ", reader.Header.ColNames)})");
    }

    public static double ParseNumber(string path, int line, string field, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DataFormatException(path, line, field, $"'{text}' is not a number");

    public static int ParseInteger(string path, int line, string field, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && real == Math.Floor(real)
                ? (int)real
                : throw new DataFormatException(path, line, field, $"'{text}' is not an integer");
}
