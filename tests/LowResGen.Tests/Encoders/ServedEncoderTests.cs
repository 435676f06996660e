using System.Text;
using LowResGen.Encoders;
using LowResGen.Encoders.Middleware;
using LowResGen.Llm;
using LowResGen.Tests.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Encoders;

/// <summary>The served encoder (OpenAI-compatible /v1/embeddings) through the factory's middleware, against a local server.</summary>
public sealed class ServedEncoderTests
{
    private static EmbeddingGenerationOptions Passage { get; } = new() { AdditionalProperties = new() { [EncoderOptionKeys.InputKind] = EncoderInputKind.Passage } };

    [Fact]
    public async Task Texts_are_sent_in_requests_of_the_configured_size_and_come_back_in_input_order()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var encoder = new EncoderFactory(new EncoderFactoryOptions { MaxTextsPerRequest = 4 }).Create(LlmTestKit.Url(server, "BAAI/bge-m3"));
        var texts = Enumerable.Range(0, 10).Select(i => $"text number {i}" + new string('x', i)).ToArray();

        var embeddings = await encoder.GenerateAsync(texts);

        Assert.Equal(texts.Select(FakeOpenAiServer.EmbeddingOf), embeddings.Select(e => e.Vector.ToArray()));
        Assert.Equal([2, 4, 4], server.Requests.Select(r => r.Inputs.Count).Order());
        Assert.All(server.Requests, r => Assert.Equal("/v1/embeddings", r.Path));
        Assert.All(server.Requests, r => Assert.Equal("BAAI/bge-m3", r.Body["model"]!.GetValue<string>()));
        Assert.All(server.Requests, r => Assert.Equal("float", r.Body["encoding_format"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Server_errors_and_rate_limits_are_retried_and_client_errors_are_not()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = r => r.Number switch { 1 => FakeFault.ServerError, 2 => FakeFault.RateLimited, 3 => FakeFault.MalformedJson, 4 => FakeFault.ConnectionReset, _ => FakeFault.None };
        using var encoder = new EncoderFactory(new EncoderFactoryOptions { Retry = LlmTestKit.FastRetry }).Create(LlmTestKit.Url(server, "m"));

        var embeddings = await encoder.GenerateAsync(["alpha", "beta"]);

        Assert.Equal(FakeOpenAiServer.EmbeddingOf("beta"), embeddings[1].Vector.ToArray());
        Assert.Equal(5, server.RequestCount);

        server.Faults = _ => FakeFault.Unauthorized;
        var error = await Assert.ThrowsAsync<LlmRequestException>(() => encoder.GenerateAsync(["gamma"]));
        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
        Assert.Equal(6, server.RequestCount);
    }

    [Fact]
    public async Task A_rate_limited_embedding_request_waits_its_retry_after_on_the_clock()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.RetryAfterSeconds = 4;
        server.Faults = r => r.Number == 1 ? FakeFault.RateLimited : FakeFault.None;
        var clock = new TestClock();
        using var encoder = new EncoderFactory(new EncoderFactoryOptions { Retry = LlmTestKit.FastRetry, TimeProvider = clock }).Create(LlmTestKit.Url(server, "m"));

        var embeddings = encoder.GenerateAsync(["alpha"]);

        await clock.PassWaitAsync(embeddings, TimeSpan.FromSeconds(4), which: w => w != LowResGen.Llm.Served.ServedModelOptions.DefaultRequestTimeout);
        Assert.Equal(FakeOpenAiServer.EmbeddingOf("alpha"), (await embeddings.WaitAsync(TimeSpan.FromSeconds(30)))[0].Vector.ToArray());
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task Requests_spread_over_several_endpoints()
    {
        await using var first = await FakeOpenAiServer.StartAsync();
        await using var second = await FakeOpenAiServer.StartAsync();
        first.ResponseDelay = second.ResponseDelay = TimeSpan.FromMilliseconds(50);
        using var encoder = new EncoderFactory(new EncoderFactoryOptions { MaxTextsPerRequest = 1, MaxInFlightPerEndpoint = 2 })
            .Create($"{first.BaseUrl},{second.BaseUrl}#m");

        await encoder.GenerateAsync(Enumerable.Range(0, 8).Select(i => $"t{i}").ToArray());

        Assert.Equal(8, first.RequestCount + second.RequestCount);
        Assert.True(first.RequestCount >= 2 && second.RequestCount >= 2, $"{first.RequestCount} / {second.RequestCount}");
        Assert.True(first.MaxInFlight <= 2 && second.MaxInFlight <= 2);
    }

    [Fact]
    public async Task The_api_key_is_sent_but_never_appears_in_logs_errors_or_the_cache_file()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var (variable, key) = LlmTestKit.NewApiKey();
        server.Faults = r => r.Inputs.Contains("bad") ? FakeFault.Unauthorized : r.Number == 1 ? FakeFault.ServerError : FakeFault.None;
        var logs = new CapturingLoggerFactory();
        var cachePath = LlmTestKit.TempPath("embeddings.sqlite");
        using (var encoder = new EncoderFactory(new EncoderFactoryOptions
        {
            ApiKeyEnvironmentVariable = variable,
            CachePath = cachePath,
            LoggerFactory = logs,
            Retry = LlmTestKit.FastRetry,
        }).Create(LlmTestKit.Url(server, "m")))
        {
            await encoder.GenerateAsync(["one", "two"]);
            var error = await Assert.ThrowsAsync<LlmRequestException>(() => encoder.GenerateAsync(["bad"]));
            Assert.Contains("Incorrect API key provided", error.Message);
            Assert.DoesNotContain(key, error.ToString());
        }

        Assert.All(server.Requests, r => Assert.Equal("Bearer " + key, r.Authorization));
        Assert.Contains("retrying", logs.AllText);
        Assert.DoesNotContain(key, logs.AllText);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var cacheBytes = Directory.GetFiles(Path.GetDirectoryName(cachePath)!).SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(cacheBytes.Length > 0);
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(cacheBytes));
    }

    [Fact]
    public async Task Cached_texts_are_not_sent_again_even_by_a_new_encoder_over_the_same_file()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var options = new EncoderFactoryOptions { CachePath = LlmTestKit.TempPath("embeddings.sqlite") };
        using (var encoder = new EncoderFactory(options).Create(LlmTestKit.Url(server, "intfloat/multilingual-e5-small")))
        {
            await encoder.GenerateAsync(["a", "b"]);
            await encoder.GenerateAsync(["b", "a"]);
            await encoder.GenerateAsync(["a"], Passage);
        }

        using var reopened = new EncoderFactory(options).Create(LlmTestKit.Url(server, "intfloat/multilingual-e5-small"));
        var again = await reopened.GenerateAsync(["b", "c"]);

        // e5's prefixes were sent, query and passage cached apart; only the new text reached the server the second time.
        Assert.Equal([["query: a", "query: b"], ["passage: a"], ["query: c"]], server.Requests.OrderBy(r => r.Number).Select(r => r.Inputs));
        Assert.Equal(FakeOpenAiServer.EmbeddingOf("query: b"), again[0].Vector.ToArray());
    }

    [Fact]
    public async Task A_model_named_in_llm_toml_is_served_from_its_endpoints()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var config = LlmConfig.Parse($$"""
            [[models]]
            name = "embedder"
            model = "BAAI/bge-m3"
            endpoints = [ { url = "{{server.BaseUrl}}", max_in_flight = 2 } ]
            """, "llm.toml");
        var factory = new EncoderFactory(new EncoderFactoryOptions { Config = config });
        Assert.IsType<ServedEncoderReference>(factory.Parse("embedder"));
        using var encoder = factory.Create("embedder");
        await encoder.GenerateAsync(["x"]);
        Assert.Equal("BAAI/bge-m3", server.Requests.Single().Body["model"]!.GetValue<string>());
    }

    [Fact]
    public void Answers_with_missing_or_repeated_embeddings_are_malformed()
    {
        Assert.Throws<FormatException>(() => LowResGen.Encoders.Served.OpenAiCompatibleEmbeddingGenerator.ParseResponse(
            Encoding.UTF8.GetBytes("""{"data":[{"index":0,"embedding":[1,2]}]}"""), 2, "m"));
        Assert.Throws<FormatException>(() => LowResGen.Encoders.Served.OpenAiCompatibleEmbeddingGenerator.ParseResponse(
            Encoding.UTF8.GetBytes("""{"data":[{"index":0,"embedding":[1,2]},{"index":0,"embedding":[1,2]}]}"""), 2, "m"));
        Assert.Throws<FormatException>(() => LowResGen.Encoders.Served.OpenAiCompatibleEmbeddingGenerator.ParseResponse(
            Encoding.UTF8.GetBytes("""{"data":[{"index":0,"embedding":"AAAA"}]}"""), 1, "m"));
    }
}
