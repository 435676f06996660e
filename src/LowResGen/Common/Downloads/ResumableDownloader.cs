using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace LowResGen.Common.Downloads;

/// <summary>How hard the downloader tries before giving up.</summary>
public sealed record ResumableDownloaderOptions
{
    /// <summary>Attempts per download, the first included; each retry resumes from what is already on disk.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; it doubles for each further retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Attempts, the first included, when the host cannot be reached at all (no DNS answer, no route, connection refused):
    /// a few quick tries for a local server that is still starting, not minutes of backoff on an offline machine.
    /// </summary>
    public int UnreachableAttempts { get; init; } = 3;

    /// <summary>Delay before the first retry of an unreachable host; it doubles for each further retry.</summary>
    public TimeSpan UnreachableRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Minimum time between two progress reports (the last report is always sent).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Downloads one file over HTTP into <c>&lt;destination&gt;.partial</c>, continues an interrupted download with a
/// Range request (restarting from byte 0 when the server ignores Range), verifies SHA-256 and only then renames the
/// file to its destination, so the destination either holds the complete, verified file or nothing. The server's
/// ETag or Last-Modified is kept beside the partial file and sent as If-Range, so a file that changed upstream
/// between two attempts is fetched whole rather than spliced.
/// </summary>
/// <remarks>
/// A destination that already exists is kept when it has the expected hash (or when no hash is expected) and
/// re-downloaded otherwise. Authorization and other headers of the request are sent but never logged or put in
/// exception messages; URLs in messages lose their query string. Retry delays and progress intervals run on
/// <c>timeProvider</c> (default <see cref="TimeProvider.System"/>), so tests check them on a fake clock.
/// </remarks>
public sealed class ResumableDownloader(HttpClient http, ResumableDownloaderOptions? options = null, TimeProvider? timeProvider = null)
{
    public const string PartialSuffix = ".partial";

    /// <summary>Beside the partial file: the validator (ETag or Last-Modified) of the response it came from.</summary>
    public const string ValidatorSuffix = ".partial.validator";

    private readonly ResumableDownloaderOptions _options = options ?? new ResumableDownloaderOptions();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<DownloadResult> DownloadAsync(
        DownloadRequest request, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var destination = Path.GetFullPath(request.DestinationPath);
        var expected = NormalizeSha256(request.ExpectedSha256);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);

        if (File.Exists(destination))
        {
            var (existingHash, existingLength) = await Sha256OfFileAsync(destination, cancellationToken).ConfigureAwait(false);
            if (expected is null || existingHash == expected)
            {
                progress?.Report(new DownloadProgress(destination, existingLength, existingLength));
                return new DownloadResult(destination, existingLength, existingHash, AlreadyPresent: true, 0, 0);
            }
        }

        var partial = destination + PartialSuffix;
        try
        {
            return await DownloadWithRetriesAsync(request, destination, partial, expected, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (UnreachableReason(e) is { } reason)
        {
            throw new DownloadUnreachableException(request.Source, reason, e);
        }
        finally
        {
            // A failure before the first byte leaves nothing to resume: no empty .partial file stays behind.
            if (File.Exists(partial) && new FileInfo(partial).Length == 0)
            {
                File.Delete(partial);
                File.Delete(destination + ValidatorSuffix);
            }
        }
    }

    private async Task<DownloadResult> DownloadWithRetriesAsync(DownloadRequest request, string destination, string partial, string? expected,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var retriedAfterMismatch = false;
        var failures = 0;
        for (var attempt = 1; ; attempt++)
        {
            Transfer transfer;
            try
            {
                transfer = await TransferAsync(request, destination, partial, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken)
                && ++failures < (UnreachableReason(e) is null ? _options.MaxAttempts : _options.UnreachableAttempts))
            {
                var delay = (UnreachableReason(e) is null ? _options.RetryDelay : _options.UnreachableRetryDelay) * Math.Pow(2, failures - 1);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            File.Delete(destination + ValidatorSuffix);
            if (expected is not null && transfer.Sha256 != expected)
            {
                File.Delete(partial);
                // A continued partial may come from an older version of the file: one clean retry before blaming the source.
                if (transfer.ResumedFromByte > 0 && !retriedAfterMismatch)
                {
                    retriedAfterMismatch = true;
                    continue;
                }

                throw new ChecksumMismatchException(destination, expected, transfer.Sha256);
            }

            File.Move(partial, destination, overwrite: true);
            return new DownloadResult(destination, transfer.Length, transfer.Sha256, AlreadyPresent: false, transfer.ResumedFromByte, attempt);
        }
    }

    /// <summary>The lower-case hex SHA-256 of a file and its length.</summary>
    public static async Task<(string Sha256, long Length)> Sha256OfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }

    /// <summary>Lower-case hex, or null; accepts an optional "sha256:" prefix and rejects anything that is not 64 hex digits.</summary>
    public static string? NormalizeSha256(string? sha256)
    {
        if (string.IsNullOrWhiteSpace(sha256))
        {
            return null;
        }

        var value = sha256.Trim();
        if (value.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value["sha256:".Length..];
        }

        return value.Length == 64 && value.All(char.IsAsciiHexDigit)
            ? value.ToLowerInvariant()
            : throw new ArgumentException($"Not a SHA-256 hex digest: '{sha256}'.", nameof(sha256));
    }

    private sealed record Transfer(string Sha256, long Length, long ResumedFromByte);

    /// <summary>Thrown inside an attempt when the partial file must be discarded; the next attempt starts from byte 0.</summary>
    private sealed class RestartException(string message) : IOException(message);

    private async Task<Transfer> TransferAsync(
        DownloadRequest request, string destination, string partial, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var offset = await HashExistingAsync(file, hash, cancellationToken).ConfigureAwait(false);

        using var message = new HttpRequestMessage(HttpMethod.Get, request.Source);
        message.Headers.Authorization = request.Authorization;
        foreach (var (name, value) in request.Headers ?? new Dictionary<string, string>())
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        var validatorPath = destination + ValidatorSuffix;
        if (offset > 0)
        {
            message.Headers.Range = new RangeHeaderValue(offset, null);
            message.Headers.IfRange = await ReadValidatorAsync(validatorPath, cancellationToken).ConfigureAwait(false);
        }

        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var resumedFrom = AcceptResponse(request, response, file, offset);
        if (resumedFrom == 0 && offset > 0)
        {
            // The server sent the whole file: what we hashed from the partial no longer counts.
            hash.GetHashAndReset();
        }

        if (resumedFrom == 0)
        {
            await WriteValidatorAsync(validatorPath, response, cancellationToken).ConfigureAwait(false);
        }

        var total = response.Content.Headers.ContentRange?.Length
            ?? (response.Content.Headers.ContentLength is { } length ? length + resumedFrom : null);
        var received = resumedFrom;
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            var lastReport = _time.GetTimestamp();
            progress?.Report(new DownloadProgress(destination, received, total));
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
                received += read;
                if (_time.GetElapsedTime(lastReport) >= _options.ProgressInterval)
                {
                    progress?.Report(new DownloadProgress(destination, received, total));
                    lastReport = _time.GetTimestamp();
                }
            }
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (total is not null && received != total)
        {
            throw new IOException($"The download of {UrlRedaction.Describe(request.Source)} ended after {received} of {total} bytes.");
        }

        progress?.Report(new DownloadProgress(destination, received, total ?? received));
        return new Transfer(Convert.ToHexStringLower(hash.GetHashAndReset()), received, resumedFrom);
    }

    private static async Task<RangeConditionHeaderValue?> ReadValidatorAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        return text.StartsWith('"') && EntityTagHeaderValue.TryParse(text, out var tag) ? new RangeConditionHeaderValue(tag)
            : DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date) ? new RangeConditionHeaderValue(date)
            : null;
    }

    /// <summary>Keeps a strong ETag, else Last-Modified (If-Range accepts no weak ETag); none means resumes go unconditioned.</summary>
    private static async Task WriteValidatorAsync(string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var validator = response.Headers.ETag is { IsWeak: false } tag ? tag.Tag
            : response.Content.Headers.LastModified?.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (validator is null)
        {
            File.Delete(path);
            return;
        }

        await File.WriteAllTextAsync(path, validator, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> HashExistingAsync(FileStream file, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return total;
    }

    /// <summary>Checks the status, truncates the partial file when the server restarts from 0, and returns where the body starts.</summary>
    private static long AcceptResponse(DownloadRequest request, HttpResponseMessage response, FileStream file, long offset)
    {
        var where = UrlRedaction.Describe(request.Source);
        if (offset > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            file.SetLength(0);
            throw new RestartException($"{where} refused to resume at byte {offset}; restarting from the beginning.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} for {where}.", null, response.StatusCode);
        }

        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (response.Content.Headers.ContentRange?.From != offset)
            {
                file.SetLength(0);
                throw new RestartException($"{where} answered a resume at byte {offset} with another range; restarting from the beginning.");
            }

            return offset;
        }

        // 200 to a Range request: the server ignores Range, so start over.
        file.SetLength(0);
        file.Position = 0;
        return 0;
    }

    /// <summary>Why the host could not be reached at all, or null when it was (or the failure came later).</summary>
    internal static UnreachableReason? UnreachableReason(Exception e) =>
        (e as HttpRequestException)?.InnerException is System.Net.Sockets.SocketException socket
            ? socket.SocketErrorCode switch
            {
                System.Net.Sockets.SocketError.ConnectionRefused => Downloads.UnreachableReason.Refused,
                System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.TryAgain or System.Net.Sockets.SocketError.NoData
                    => Downloads.UnreachableReason.NameNotResolved,
                System.Net.Sockets.SocketError.NetworkUnreachable or System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkDown
                    => Downloads.UnreachableReason.NoRoute,
                _ => null,
            }
            : null;

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        _ when cancellationToken.IsCancellationRequested => false,
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } status } => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        IOException => true,
        // HttpClient's own timeout surfaces as a cancellation the caller did not ask for.
        TaskCanceledException => true,
        _ => false,
    };
}
