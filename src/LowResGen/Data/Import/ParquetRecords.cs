using System.Globalization;
using LowResGen.Common;
using Parquet.Serialization;

namespace LowResGen.Data.Import;

/// <summary>Parquet: top-level columns; <see cref="RawRecord.Line"/> is the 1-based row number.</summary>
internal static class ParquetRecords
{
    public static async Task<List<RawRecord>> ReadAsync(string path, ImportOptions options, CancellationToken cancellationToken)
    {
        DeserializationResult<Dictionary<string, object>> table;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            try
            {
                table = await ParquetSerializer.DeserializeUntypedAsync(stream, null, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                throw new DataFormatException(path, null, null, $"not a readable Parquet file: {e.Message}", e);
            }
        }

        var columns = ColumnSelection.Select(path, null, [.. table.Schema.Fields.Select(f => f.Name)], options);
        var records = new List<RawRecord>(table.Data.Count);
        for (var i = 0; i < table.Data.Count; i++)
        {
            var row = table.Data[i];
            records.Add(new RawRecord(
                i + 1,
                columns,
                Value(row, columns.Text),
                Value(row, columns.Label),
                Value(row, columns.Id),
                Value(row, columns.Split),
                Value(row, columns.Language)));
        }

        return records;
    }

    private static string? Value(Dictionary<string, object> row, string? column) =>
        column is not null && row.TryGetValue(column, out var value) && value is not null
            ? Convert.ToString(value, CultureInfo.InvariantCulture)
            : null;
}
