using System.Globalization;
using System.Text.Json;
using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>JSON Lines: one object per line, blank lines ignored; columns are chosen from the first object's fields.</summary>
internal static class JsonLinesRecords
{
    public static IEnumerable<RawRecord> Read(string path, ImportOptions options, long? invalidUtf8Line, CancellationToken cancellationToken)
    {
        using var reader = Utf8Validation.OpenText(path);
        ColumnSelection? columns = null;
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            using var document = Parse(path, line, text);
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!fields.TryAdd(property.Name, Value(property.Value)))
                {
                    throw new DataFormatException(path, line, property.Name, "the field appears twice in this object");
                }
            }

            if (line == invalidUtf8Line)
            {
                throw SeparatedRecords.InvalidUtf8(path, line, fields.FirstOrDefault(f => f.Value?.Contains('\uFFFD') == true).Key);
            }

            columns ??= ColumnSelection.Select(path, line, [.. fields.Keys], options);
            yield return new RawRecord(
                line,
                columns,
                fields.GetValueOrDefault(columns.Text),
                fields.GetValueOrDefault(columns.Label),
                columns.Id is null ? null : fields.GetValueOrDefault(columns.Id),
                columns.Split is null ? null : fields.GetValueOrDefault(columns.Split),
                columns.Language is null ? null : fields.GetValueOrDefault(columns.Language));
        }

        if (columns is null)
        {
            throw new DataFormatException(path, null, null, "empty file: expected one JSON object per line");
        }
    }

    private static JsonDocument Parse(string path, long line, string text)
    {
        try
        {
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new DataFormatException(path, line, null, "expected a JSON object on every line");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, line, null, $"invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Strings as they are, numbers and booleans as their JSON text; null and nested values count as absent.</summary>
    private static string? Value(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => element.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
        _ => null,
    };
}
