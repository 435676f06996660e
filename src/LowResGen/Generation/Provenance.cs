using System.Text;
using System.Text.Json;
using LowResGen.Common;

namespace LowResGen.Generation;

/// <summary>The stages a generated example passes, in order; a rejected example names the stage that rejected it.</summary>
public static class GenerationStages
{
    public const string Parse = "parse";
    public const string Length = "length";
    public const string Duplicate = "duplicate";
    public const string Language = "language";

    /// <summary>The class already had its quota, so the example was not needed (and not judged).</summary>
    public const string Surplus = "surplus";
    public const string Judge = "judge";

    public static IReadOnlyList<string> InOrder { get; } = [Parse, Length, Duplicate, Language, Surplus, Judge];
}

/// <summary>The sampling settings of one generation request.</summary>
public sealed record SamplingSettings(float? Temperature, float? TopP, int? MaxOutputTokens, long? Seed, int SampleIndex);

/// <summary>
/// Everything known about one generated example, kept or rejected: one line of the examples JSONL file.
/// <see cref="Attempt"/> and <see cref="Item"/> identify it within its class, which is what makes a resumed run
/// skip what it has already recorded.
/// </summary>
public sealed record GeneratedExampleRecord
{
    public required string Id { get; init; }

    public required string Text { get; init; }

    public required string Label { get; init; }

    public required string Language { get; init; }

    public required string Task { get; init; }

    public required bool Accepted { get; init; }

    public string? RejectionStage { get; init; }

    public string? RejectionReason { get; init; }

    public required string Strategy { get; init; }

    public required string Model { get; init; }

    public required SamplingSettings Sampling { get; init; }

    public required string TemplateVersion { get; init; }

    public required string PromptHash { get; init; }

    public required string DemonstrationSelector { get; init; }

    public required IReadOnlyList<string> DemonstrationIds { get; init; }

    /// <summary>"human", "llm" or null (no description in the prompt).</summary>
    public string? DescriptionSource { get; init; }

    public required int Attempt { get; init; }

    public required int Item { get; init; }

    public required string RawAnswer { get; init; }

    public string? FinishReason { get; init; }

    public string? JudgeVerdict { get; init; }

    public string? JudgeReason { get; init; }

    public string? JudgeTemplateVersion { get; init; }

    public long JudgeTokens { get; init; }

    /// <summary>The English gold example this one translates (translate strategies only).</summary>
    public string? SourceExampleId { get; init; }

    public string? DetectedLanguage { get; init; }

    public double? LanguageConfidence { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>One request to the model: one line of the attempts JSONL file (also kept when the answer held no example).</summary>
public sealed record GenerationAttemptRecord(
    string Label,
    int Attempt,
    string PromptHash,
    int RequestedCount,
    IReadOnlyList<string> DemonstrationIds,
    int DroppedDemonstrations,
    SamplingSettings Sampling,
    string RawAnswer,
    string? FinishReason,
    long Tokens,
    DateTimeOffset CreatedUtc,
    IReadOnlyList<string>? SourceExampleIds = null);

/// <summary>
/// Reading back what <see cref="JsonlLog{T}"/> appends: tolerant of a last line cut by a crash; only the resuming writer
/// repairs the file.
/// </summary>
public static class JsonlLog
{
    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Reads every record without touching the file (readers never write: a report of a running study reads the logs a
    /// writer is appending to). A last line that does not parse (cut by a crash, or being written) is left out; any other
    /// bad line is an error naming the file and line.
    /// </summary>
    public static async Task<IReadOnlyList<T>> ReadAsync<T>(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? Scan<T>(path, await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).Records : [];

    /// <summary>
    /// What the writer that resumes a log calls instead of <see cref="ReadAsync{T}"/>: reads the records and repairs the end
    /// of the file for appending (a torn last line is cut off; a last record without its newline gets one).
    /// </summary>
    public static async Task<IReadOnlyList<T>> ReadForAppendAsync<T>(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var (records, validLength, missingNewline) = Scan<T>(path, bytes);
        if (validLength < bytes.Length)
        {
            await TruncateAsync(path, validLength).ConfigureAwait(false);
        }
        else if (missingNewline)
        {
            await File.AppendAllTextAsync(path, "\n", cancellationToken).ConfigureAwait(false);
        }

        return records;
    }

    private static (List<T> Records, long ValidLength, bool MissingNewline) Scan<T>(string path, byte[] bytes)
    {
        var records = new List<T>();
        var position = 0;
        var lineNumber = 0;
        while (position < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', position);
            var end = newline < 0 ? bytes.Length : newline;
            lineNumber++;
            var line = new ReadOnlySpan<byte>(bytes, position, end - position);
            if (line.Trim((byte)'\r').Length > 0)
            {
                try
                {
                    records.Add(JsonSerializer.Deserialize<T>(line, Json)
                        ?? throw new JsonException("null record"));
                }
                catch (JsonException e)
                {
                    var isLast = newline < 0 || bytes.AsSpan(newline + 1).Trim("\r\n "u8).Length == 0;
                    if (!isLast)
                    {
                        throw new DataFormatException(path, lineNumber, e.Path, "not a valid record: " + e.Message, e);
                    }

                    return (records, position, false);
                }
            }

            position = end + 1;
        }

        // position > length: a complete last record without its newline.
        return (records, bytes.Length, position > bytes.Length);
    }

    private static async Task TruncateAsync(string path, long length)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 1, useAsync: true);
        stream.SetLength(length);
    }
}

/// <summary>
/// Appends records to a JSONL file as the run goes, so a crash loses at most the line being written; reading back
/// tolerates (and trims) a last line cut by a crash. Thread-safe.
/// </summary>
public sealed class JsonlLog<T>(string path) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Path { get; } = path;

    public async Task AppendAsync(IEnumerable<T> records, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(JsonSerializer.Serialize(record, JsonlLog.Json)).Append('\n');
        }

        if (text.Length == 0)
        {
            return;
        }

        var bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
            // Not cancellable once started: a half-written line is the one thing the reader has to repair.
            await stream.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
            await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
