using System.Net.Http.Headers;
using System.Security.Cryptography;
using LowResGen.Common.Downloads;

namespace LowResGen.Tests.Data.Download;

public sealed class ResumableDownloaderTests : IDisposable
{
    private static readonly ResumableDownloaderOptions Fast = new() { RetryDelay = TimeSpan.Zero };

    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();
    private readonly byte[] _payload;
    private readonly string _sha256;

    public ResumableDownloaderTests()
    {
        _payload = new byte[300_000];
        new Random(42).NextBytes(_payload);
        _sha256 = Convert.ToHexStringLower(SHA256.HashData(_payload));
        Directory.CreateDirectory(_temp.File("served", "sub dir"));
        File.WriteAllBytes(_temp.File("served", "sub dir", "model file.bin"), _payload);
    }

    private string Destination => _temp.File("out put", "nested dir", "model file.bin");

    [Fact]
    public async Task Connection_dropped_mid_file_is_resumed_with_a_range_request_and_gives_identical_bytes()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.DropConnectionAfter(100_000);
        var reports = new List<DownloadProgress>();

        var result = await new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256.ToUpperInvariant()),
            new SynchronousProgress<DownloadProgress>(reports.Add), CancellationToken.None);

        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
        // A cut connection may lose bytes that were sent but not yet read, so the resume point is at most the cut.
        Assert.InRange(result.ResumedFromByte, 1, 100_000);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(_sha256, result.Sha256);
        Assert.Equal($"bytes={result.ResumedFromByte}-", server.Requests[1].Range);
        Assert.Equal(206, server.Requests[1].Status);
        Assert.False(File.Exists(Destination + ResumableDownloader.PartialSuffix));
        Assert.Equal(_payload.Length, reports[^1].BytesReceived);
        Assert.Equal(_payload.Length, reports[^1].TotalBytes);
    }

    [Fact]
    public async Task A_failed_run_leaves_a_partial_file_that_the_next_run_continues()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.DropConnectionAfter(120_000);
        var request = new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256);

        await Assert.ThrowsAnyAsync<IOException>(() =>
            new ResumableDownloader(_http, Fast with { MaxAttempts = 1 }).DownloadAsync(request, null, CancellationToken.None));
        Assert.False(File.Exists(Destination));
        var kept = new FileInfo(Destination + ResumableDownloader.PartialSuffix).Length;
        Assert.InRange(kept, 1, 120_000);

        var result = await new ResumableDownloader(_http, Fast).DownloadAsync(request, null, CancellationToken.None);
        Assert.Equal(kept, result.ResumedFromByte);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
    }

    [Fact]
    public async Task File_changed_upstream_between_attempts_is_fetched_whole_thanks_to_if_range()
    {
        var served = _temp.File("served", "sub dir", "model file.bin");
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.DropConnectionAfter(150_000);
        var request = new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, null);
        await Assert.ThrowsAnyAsync<IOException>(() =>
            new ResumableDownloader(_http, Fast with { MaxAttempts = 1 }).DownloadAsync(request, null, CancellationToken.None));
        Assert.True(File.Exists(Destination + ResumableDownloader.ValidatorSuffix));

        var changed = _payload.Reverse().ToArray();
        await File.WriteAllBytesAsync(served, changed);
        File.SetLastWriteTimeUtc(served, DateTime.UtcNow.AddMinutes(1));
        var result = await new ResumableDownloader(_http, Fast).DownloadAsync(request, null, CancellationToken.None);

        Assert.Equal(changed, await File.ReadAllBytesAsync(Destination));
        Assert.Equal(0, result.ResumedFromByte);
        Assert.Equal(200, server.Requests[^1].Status);
        Assert.NotNull(server.Requests[^1].Range);
        Assert.False(File.Exists(Destination + ResumableDownloader.ValidatorSuffix));
    }

    [Fact]
    public async Task Server_that_ignores_range_makes_the_download_restart_from_zero()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.IgnoreRange = true;
        Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
        await File.WriteAllBytesAsync(Destination + ResumableDownloader.PartialSuffix, new byte[5_000]);

        var result = await new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, null), null, CancellationToken.None);

        Assert.Equal(0, result.ResumedFromByte);
        Assert.Equal("bytes=5000-", server.Requests.Single().Range);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
        Assert.Equal(_sha256, result.Sha256);
    }

    [Fact]
    public async Task Checksum_mismatch_names_file_and_both_hashes_and_leaves_nothing()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        var wrong = new string('a', 64);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, wrong), null, CancellationToken.None));

        Assert.Contains(Destination, error.Message, StringComparison.Ordinal);
        Assert.Contains(wrong, error.Message, StringComparison.Ordinal);
        Assert.Contains(_sha256, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Destination));
        Assert.False(File.Exists(Destination + ResumableDownloader.PartialSuffix));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Destination)!));
    }

    [Fact]
    public async Task Stale_partial_that_fails_the_checksum_is_discarded_and_fetched_again_once()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
        var stale = _payload[..50_000];
        stale[10] ^= 0xFF;
        await File.WriteAllBytesAsync(Destination + ResumableDownloader.PartialSuffix, stale);

        var result = await new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256), null, CancellationToken.None);

        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
        Assert.Equal(["bytes=50000-", null], server.Requests.Select(r => r.Range));
        Assert.Equal(0, result.ResumedFromByte);
    }

    [Fact]
    public async Task Partial_longer_than_the_file_gets_416_and_restarts()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
        await File.WriteAllBytesAsync(Destination + ResumableDownloader.PartialSuffix, new byte[400_000]);

        await new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256), null, CancellationToken.None);

        Assert.Equal([416, 200], server.Requests.Select(r => r.Status));
        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
    }

    [Fact]
    public async Task Server_errors_are_retried_but_not_found_is_not()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.FailWith(503, times: 2);
        var result = await new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256), null, CancellationToken.None);
        Assert.Equal(3, result.Attempts);

        var missing = _temp.File("out put", "missing.bin");
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => new ResumableDownloader(_http, Fast).DownloadAsync(
            new DownloadRequest(server.Url("nope.bin"), missing, null), null, CancellationToken.None));
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount("nope.bin"));
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Retries_wait_on_the_clock_doubling_from_the_retry_delay()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.FailWith(503, times: 2);
        var clock = new TestClock();
        var download = new ResumableDownloader(_http, new ResumableDownloaderOptions { RetryDelay = TimeSpan.FromSeconds(1) }, clock).DownloadAsync(
            new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256), null, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(1)], await clock.WaitsStartedAsync(1));
        Assert.Equal(1, server.RequestCount());
        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.PassWaitAsync(download, TimeSpan.FromSeconds(2), number: 2); // doubled
        Assert.Equal(2, clock.Waits.Count);

        var result = await download.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, result.Attempts);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
    }

    [Fact]
    public async Task An_unreachable_host_is_retried_after_250_and_500_ms_on_the_clock_then_reported()
    {
        var clock = new TestClock();
        var download = new ResumableDownloader(_http, timeProvider: clock).DownloadAsync(
            new DownloadRequest(new Uri($"http://127.0.0.1:{LowResGen.TestSupport.LoopbackServer.ClosedPort()}/model.bin"), Destination, null), null,
            CancellationToken.None);

        clock.Advance((await clock.WaitsStartedAsync(1))[0]);
        var waits = await clock.WaitsStartedAsync(2);
        clock.Advance(waits[1]);

        await Assert.ThrowsAsync<DownloadUnreachableException>(() => download.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500)], clock.Waits); // 3 attempts, no long backoff
        Assert.False(File.Exists(Destination + ResumableDownloader.PartialSuffix));
    }

    [Fact]
    public async Task Authorization_is_sent_but_never_appears_in_errors_or_descriptions()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        const string token = "hf_secret_token_123";
        var request = new DownloadRequest(new Uri(server.Url("nope.bin") + "?token=" + token), _temp.File("x.bin"), null)
        {
            Authorization = new AuthenticationHeaderValue("Bearer", token),
        };

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            new ResumableDownloader(_http, Fast).DownloadAsync(request, null, CancellationToken.None));

        Assert.Equal("Bearer " + token, server.Requests.Single().Authorization);
        Assert.DoesNotContain(token, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Existing_verified_destination_is_not_downloaded_again()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        var downloader = new ResumableDownloader(_http, Fast);
        var request = new DownloadRequest(server.Url("sub dir/model file.bin"), Destination, _sha256);
        await downloader.DownloadAsync(request, null, CancellationToken.None);

        var again = await downloader.DownloadAsync(request, null, CancellationToken.None);

        Assert.True(again.AlreadyPresent);
        Assert.Equal(1, server.RequestCount());

        await File.WriteAllBytesAsync(Destination, [1, 2, 3]);
        var repaired = await downloader.DownloadAsync(request, null, CancellationToken.None);
        Assert.False(repaired.AlreadyPresent);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(Destination));
    }

    public void Dispose()
    {
        _http.Dispose();
        _temp.Dispose();
    }
}
