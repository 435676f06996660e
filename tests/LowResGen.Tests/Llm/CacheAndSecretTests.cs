using System.Text;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class CacheAndSecretTests
{
    private static ChatMessage[] Prompt(string text) => [new ChatMessage(ChatRole.User, text)];

    [Fact]
    public async Task A_rerun_replays_from_the_cache_file_without_calling_the_server()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var cachePath = LlmTestKit.TempPath("cache.sqlite");
        var options = new ChatOptions { Temperature = 0.8f, Seed = 7 };

        var firstRun = new LlmClientFactory(new LlmClientOptions { CachePath = cachePath });
        using (var client = firstRun.Create(LlmTestKit.Url(server)))
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.GetResponseAsync(Prompt($"q {i}"), options)));
        }

        var secondRun = new LlmClientFactory(new LlmClientOptions { CachePath = cachePath });
        using var again = secondRun.Create(LlmTestKit.Url(server));
        var replayed = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => again.GetResponseAsync(Prompt($"q {i}"), options)));

        Assert.Equal(20, server.RequestCount);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"answer: q {i}"), replayed.Select(r => r.Text));
        Assert.All(replayed, r => Assert.True(r.IsCacheHit()));
        var usage = Assert.Single(secondRun.Usage.Models);
        Assert.Equal((20, 0, 20, 0L), (usage.Requests, usage.Succeeded, usage.Cached, usage.InputTokens));
    }

    [Fact]
    public async Task Sample_index_and_sampling_options_are_part_of_the_key()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var factory = new LlmClientFactory(new LlmClientOptions { CachePath = LlmTestKit.TempPath("cache.sqlite") });
        using var client = factory.Create(LlmTestKit.Url(server));

        await client.GetResponseAsync(Prompt("same"), new ChatOptions { Temperature = 1 }.WithSampleIndex(1));
        await client.GetResponseAsync(Prompt("same"), new ChatOptions { Temperature = 1 }.WithSampleIndex(2));
        await client.GetResponseAsync(Prompt("same"), new ChatOptions { Temperature = 1 }.WithSampleIndex(2));
        await client.GetResponseAsync(Prompt("same"), new ChatOptions { Temperature = 0.5f }.WithSampleIndex(2));
        await client.GetResponseAsync(Prompt("same"), new ChatOptions { Temperature = 1 }.WithSampleIndex(2).WithRepetitionPenalty(1.2));

        Assert.Equal(4, server.RequestCount);
        Assert.Equal(1, factory.Usage.Cached);
        Assert.Equal(4, await client.GetService<ResponseCacheChatClient>()!.CountAsync());
    }

    [Fact]
    public async Task Two_clients_can_share_one_cache_file_concurrently()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var cachePath = LlmTestKit.TempPath("shared.sqlite");
        var factories = Enumerable.Range(0, 2).Select(_ => new LlmClientFactory(new LlmClientOptions { CachePath = cachePath })).ToArray();
        var clients = factories.Select(f => f.Create(LlmTestKit.Url(server))).ToArray();

        // 30 distinct prompts, each asked by both clients at the same time.
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => clients[i % 2].GetResponseAsync(Prompt($"q {i / 2}"))));

        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"answer: q {i / 2}"), answers.Select(a => a.Text));
        await clients[1].GetService<ResponseCacheChatClient>()!.FlushAsync();
        Assert.Equal(30, await clients[0].GetService<ResponseCacheChatClient>()!.CountAsync());
        Assert.Equal(60, factories.Sum(f => f.Usage.Succeeded + f.Usage.Cached));
        Assert.Equal(server.RequestCount, factories.Sum(f => f.Usage.Succeeded));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Cancelled_requests_are_counted_as_cancelled()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = r => r.LastUserMessage == "slow" ? FakeFault.Hang : FakeFault.None;
        var factory = new LlmClientFactory();
        using var client = factory.Create(LlmTestKit.Url(server));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await client.GetResponseAsync(Prompt("fast"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Prompt("slow"), cancellationToken: cancel.Token));

        var usage = Assert.Single(factory.Usage.Models);
        Assert.Equal((2, 1, 1, 0, 0), (usage.Requests, usage.Succeeded, usage.Cancelled, usage.Failed, usage.InFlight));
    }

    [Fact]
    public void Sample_zero_and_no_sample_index_are_the_same_request()
    {
        var messages = Prompt("x");
        Assert.Equal(
            ResponseCacheChatClient.CacheKey("m", messages, new ChatOptions()),
            ResponseCacheChatClient.CacheKey("m", messages, new ChatOptions().WithSampleIndex(0)));
        Assert.NotEqual(
            ResponseCacheChatClient.CacheKey("m", messages, null),
            ResponseCacheChatClient.CacheKey("other-model", messages, null));
    }

    [Fact]
    public async Task Failed_requests_are_not_cached()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = r => r.Number == 1 ? FakeFault.Unauthorized : FakeFault.None;
        var factory = new LlmClientFactory(new LlmClientOptions { CachePath = LlmTestKit.TempPath("cache.sqlite") });
        using var client = factory.Create(LlmTestKit.Url(server));

        await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync(Prompt("x")));
        var answer = await client.GetResponseAsync(Prompt("x"));

        Assert.Equal("answer: x", answer.Text);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task The_api_key_never_appears_in_logs_exceptions_or_the_cache_file()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var (variable, key) = LlmTestKit.NewApiKey();
        server.Faults = r => r.LastUserMessage == "bad" ? FakeFault.Unauthorized : r.Number % 3 == 0 ? FakeFault.ServerError : FakeFault.None;
        var logs = new CapturingLoggerFactory();
        var cachePath = LlmTestKit.TempPath("cache.sqlite");
        var factory = new LlmClientFactory(new LlmClientOptions
        {
            CachePath = cachePath,
            LoggerFactory = logs,
            ApiKeyEnvironmentVariable = variable,
            Retry = LlmTestKit.FastRetry,
        });
        using var client = factory.Create(LlmTestKit.Url(server));

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.GetResponseAsync(Prompt($"q {i}"))));
        var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync(Prompt("bad")));

        Assert.Equal(10, answers.Length);
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + key, r.Authorization)); // the key was really used
        Assert.Contains("Incorrect API key provided", error.Message); // the server's echo is kept, minus the key
        Assert.DoesNotContain(key, error.ToString());
        Assert.Contains("retrying", logs.AllText);
        Assert.Contains("request failed", logs.AllText);
        Assert.DoesNotContain(key, logs.AllText);
        Assert.Equal(10, await client.GetService<ResponseCacheChatClient>()!.CountAsync()); // the answers are in the file
        var cacheBytes = Directory.GetFiles(Path.GetDirectoryName(cachePath)!).SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(cacheBytes.Length > 0);
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(cacheBytes));
    }

    [Fact]
    public void Redactor_removes_known_secrets_and_key_shaped_strings()
    {
        var text = SecretRedactor.Redact("key abc123secret, header Authorization: Bearer tok.en-123456, other sk-proj-ABCDEFGHIJKL", "abc123secret");
        Assert.Equal("key [REDACTED], header Authorization: Bearer [REDACTED], other [REDACTED]", text);
    }

    [Fact]
    public async Task Cost_is_computed_from_configured_prices()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = _ => "a b c d e"; // 5 completion tokens
        var config = LlmConfig.Parse($$"""
            [[models]]
            name = "priced"
            model = "m"
            price_per_1k_input = 2.0
            price_per_1k_output = 10.0
            endpoints = [ { url = "{{server.BaseUrl}}", max_in_flight = 2 } ]
            """, "llm.toml");
        var factory = new LlmClientFactory(new LlmClientOptions { Config = config });
        using var client = factory.Create("priced");

        await client.GetResponseAsync(Prompt("one two three")); // 3 prompt tokens

        var usage = factory.Usage.For("priced")!;
        Assert.Equal((3, 5), (usage.InputTokens, usage.OutputTokens));
        Assert.Equal(((3 * 2.0m) + (5 * 10.0m)) / 1000m, usage.Cost);
    }
}
