using System.Net.Http.Headers;

namespace LowResGen.Common.Downloads;

/// <summary>
/// One file to fetch. <paramref name="ExpectedSha256"/> (hex, any case) is verified before the file appears at
/// <paramref name="DestinationPath"/>; null means "accept what the server sends" (the result still reports the hash).
/// </summary>
public sealed record DownloadRequest(Uri Source, string DestinationPath, string? ExpectedSha256 = null)
{
    /// <summary>Sent with every request (e.g. a bearer token read from an environment variable). Never logged.</summary>
    public AuthenticationHeaderValue? Authorization { get; init; }

    /// <summary>Further request headers. Never logged.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Only the source (without query string) and destination: headers may hold secrets.</summary>
    public override string ToString() => $"{UrlRedaction.Describe(Source)} -> {DestinationPath}";
}

/// <summary>Bytes of the destination file seen so far; <see cref="TotalBytes"/> is null when the server does not say.</summary>
public sealed record DownloadProgress(string DestinationPath, long BytesReceived, long? TotalBytes);

/// <summary>What a download produced. <see cref="ResumedFromByte"/> is 0 unless a partial file was continued.</summary>
public sealed record DownloadResult(
    string DestinationPath,
    long Length,
    string Sha256,
    bool AlreadyPresent,
    long ResumedFromByte,
    int Attempts);

/// <summary>The downloaded bytes do not have the expected SHA-256. Nothing was left at the destination.</summary>
public sealed class ChecksumMismatchException(string file, string expectedSha256, string actualSha256)
    : IOException($"SHA-256 mismatch for {file}: expected {expectedSha256}, got {actualSha256}; the download was discarded.")
{
    public string File { get; } = file;

    public string ExpectedSha256 { get; } = expectedSha256;

    public string ActualSha256 { get; } = actualSha256;
}
