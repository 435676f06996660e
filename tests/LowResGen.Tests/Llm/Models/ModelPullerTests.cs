using System.Security.Cryptography;
using LowResGen.Common.Downloads;
using LowResGen.Llm.Models;
using LowResGen.Tests.Data;

namespace LowResGen.Tests.Llm.Models;

public sealed class ModelPullerTests : IDisposable
{
    private const string Repository = "Some Org/tiny-GGUF";
    private const string FileName = "tiny model q8.gguf";
    private const string Token = "hf_secret_token_123";
    private static readonly ResumableDownloaderOptions Fast = new() { RetryDelay = TimeSpan.Zero };

    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();
    private readonly byte[] _payload = new byte[3_000_000];
    private readonly string _sha256;
    private readonly ModelCache _cache;

    public ModelPullerTests()
    {
        new Random(7).NextBytes(_payload);
        _sha256 = Convert.ToHexStringLower(SHA256.HashData(_payload));
        var served = _temp.File("served", "Some Org", "tiny-GGUF", "resolve", "main", FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(served)!);
        File.WriteAllBytes(served, _payload);
        _cache = new ModelCache(_temp.File("model cache with spaces"));
    }

    private ModelPuller Puller(int attempts = 5) =>
        new(_http, _cache, name => name == ModelPuller.TokenVariable ? Token : null, Fast with { MaxAttempts = attempts });

    [Fact]
    public async Task InterruptedPullIsResumedIntoTheCacheWithTheTokenSent()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        // Large enough that the client has read part of it when the connection is cut (a reset discards unread bytes).
        server.DropConnectionAfter(2_000_000);

        var result = await Puller().PullAsync(new ModelPullRequest(Repository, FileName, _sha256), server.BaseUri, null, CancellationToken.None);

        var expectedPath = _cache.PathFor(Repository, FileName);
        Assert.Equal(expectedPath, result.DestinationPath);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(expectedPath));
        Assert.InRange(result.ResumedFromByte, 1, 2_000_000);
        Assert.StartsWith("bytes=", server.Requests[^1].Range);
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + Token, r.Authorization));
        Assert.Equal("Some Org/tiny-GGUF/resolve/main/" + FileName, server.Requests[0].Path);
        Assert.Equal([$"{Repository}/{FileName}"], _cache.List().Select(m => m.Name));
    }

    [Fact]
    public async Task AFailedAttemptIsRetriedAfterTheDefaultDelayOnTheClock()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.FailWith(503, times: 1);
        var clock = new TestClock();
        var pull = new ModelPuller(_http, _cache, _ => null, timeProvider: clock)
            .PullAsync(new ModelPullRequest(Repository, FileName, _sha256), server.BaseUri, null, CancellationToken.None);

        Assert.Equal([new ResumableDownloaderOptions().RetryDelay], await clock.WaitsStartedAsync(1));
        Assert.False(pull.IsCompleted);
        clock.Advance(new ResumableDownloaderOptions().RetryDelay);

        Assert.Equal(2, (await pull.WaitAsync(TimeSpan.FromSeconds(30))).Attempts);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(_cache.PathFor(Repository, FileName)));
    }

    [Fact]
    public async Task ChecksumMismatchLeavesNothingInTheCache()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        var wrong = new string('a', 64);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() =>
            Puller().PullAsync(new ModelPullRequest(Repository, FileName, wrong), server.BaseUri, null, CancellationToken.None));

        Assert.Contains(wrong, error.Message);
        Assert.DoesNotContain(Token, error.ToString());
        Assert.Empty(_cache.List());
        Assert.False(File.Exists(_cache.PathFor(Repository, FileName)));
        Assert.False(File.Exists(_cache.PathFor(Repository, FileName) + ResumableDownloader.PartialSuffix));
    }

    [Fact]
    public async Task RefusedRequestNeverShowsTheToken()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(_temp.File("served"));
        server.FailWith(401, times: 10);

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            Puller(attempts: 1).PullAsync(new ModelPullRequest(Repository, FileName), server.BaseUri, null, CancellationToken.None));

        Assert.DoesNotContain(Token, error.ToString());
        Assert.Empty(_cache.List());
    }

    [Fact]
    public void SourceUrlFollowsTheHuggingFaceLayout()
    {
        var url = ModelPuller.SourceFor(DefaultModels.Quickstart.Pull);

        Assert.Equal("https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf", url.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5000/mirror/a%20b/c/resolve/v1/x%20y.gguf",
            ModelPuller.SourceFor(new ModelPullRequest("a b/c", "x y.gguf", Revision: "v1"), new Uri("http://127.0.0.1:5000/mirror")).AbsoluteUri);
    }

    [Fact]
    public void CacheResolvesPathsNamesAndUniqueFileNames()
    {
        var path = _cache.PathFor(Repository, FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
        File.WriteAllBytes(path + ResumableDownloader.PartialSuffix, [1]);

        Assert.Equal(path, _cache.Resolve($"{Repository}/{FileName}"));
        Assert.Equal(path, _cache.Resolve(FileName));
        Assert.Equal(path, _cache.Resolve(path));
        Assert.Null(_cache.Resolve("missing.gguf"));
        Assert.Equal(3, _cache.List().Single().SizeBytes);
        Assert.Throws<ArgumentException>(() => _cache.PathFor("../escape", "x.gguf"));
        Assert.Throws<ArgumentException>(() => _cache.PathFor("owner/repo", "../x.gguf"));
        Assert.Throws<ArgumentException>(() => _cache.PathFor("no-owner", "x.gguf"));
    }

    [Fact]
    public void DefaultDirectoryHonoursLowResGenHome()
    {
        Assert.Equal(Path.Combine("/data/lrg home", "models"), ModelCache.DefaultDirectory(n => n == ModelCache.HomeVariable ? "/data/lrg home" : null));
        Assert.EndsWith(Path.Combine(".cache", "lowresgen", "models"), ModelCache.DefaultDirectory(_ => null));
    }

    public void Dispose()
    {
        _http.Dispose();
        _temp.Dispose();
    }
}
