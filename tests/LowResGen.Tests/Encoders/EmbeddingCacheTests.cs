using LowResGen.Encoders;
using LowResGen.Encoders.Middleware;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Encoders;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lowresgen-embcache-" + Guid.NewGuid().ToString("N"));

    private string CachePath => Path.Combine(_folder, "embeddings.sqlite");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_call_is_answered_from_the_cache_and_only_misses_reach_the_encoder_in_one_call()
    {
        var backend = new CountingEncoder();
        using var cache = new SqliteDistributedCache(CachePath);
        using var encoder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(backend).UseLowResGenCache(cache, "enc-a").Build();

        var first = await encoder.GenerateAsync(["one", "two", "three"]);
        var second = await encoder.GenerateAsync(["two", "four", "one", "five"]);

        Assert.Equal([3, 2], backend.CallSizes);
        Assert.Equal(["one", "two", "three", "four", "five"], backend.Texts);
        Assert.Equal(first[0].Vector.ToArray(), second[2].Vector.ToArray());
        Assert.Equal(CountingEncoder.VectorOf("four"), second[1].Vector.ToArray());
        Assert.Equal(5, await cache.CountAsync());
    }

    [Fact]
    public async Task Entries_persist_across_processes_sharing_the_file_and_encoders_with_other_identities_do_not_share_them()
    {
        var backend = new CountingEncoder();
        using (var cache = new SqliteDistributedCache(CachePath))
        using (var encoder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(backend).UseLowResGenCache(cache, "enc-a").Build())
        {
            await encoder.GenerateAsync(["kept"]);
        }

        var again = new CountingEncoder();
        using var reopened = new SqliteDistributedCache(CachePath);
        using var sameEncoder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(again).UseLowResGenCache(reopened, "enc-a").Build();
        using var otherEncoder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(again).UseLowResGenCache(reopened, "enc-b").Build();
        var replayed = await sameEncoder.GenerateAsync(["kept"]);
        Assert.Empty(again.CallSizes);
        Assert.Equal(CountingEncoder.VectorOf("kept"), replayed[0].Vector.ToArray());

        await otherEncoder.GenerateAsync(["kept"]);
        Assert.Equal([1], again.CallSizes);
    }

    [Fact]
    public async Task Thousands_of_entries_are_committed_in_batches_and_a_value_not_yet_committed_is_already_a_hit()
    {
        using var cache = new SqliteDistributedCache(CachePath);
        for (var i = 0; i < 5000; i++)
        {
            await cache.SetAsync($"k{i}", BitConverter.GetBytes(i), new());
        }

        Assert.Equal(BitConverter.GetBytes(4999), await cache.GetAsync("k4999"));
        Assert.Equal(5000, await cache.CountAsync());
        Assert.Equal(BitConverter.GetBytes(17), cache.Get("k17"));
        Assert.Null(await cache.GetAsync("absent"));
        await cache.RemoveAsync("k17");
        Assert.Null(cache.Get("k17"));
    }

    [Fact]
    public async Task The_input_convention_is_applied_before_the_cache_so_query_and_passage_are_cached_apart()
    {
        var backend = new CountingEncoder();
        using var cache = new SqliteDistributedCache(CachePath);
        using var encoder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(backend)
            .UseLowResGenInputConvention(KnownEncoders.ConventionFor("intfloat/multilingual-e5-base"))
            .UseLowResGenCache(cache, "e5")
            .Build();

        await encoder.GenerateAsync(["text"]);
        await encoder.GenerateAsync(["text"], new EmbeddingGenerationOptions { AdditionalProperties = new() { [EncoderOptionKeys.InputKind] = "passage" } });
        await encoder.GenerateAsync(["text"]);
        Assert.Equal(["query: text", "passage: text"], backend.Texts);
    }

    [Theory]
    [InlineData("intfloat/multilingual-e5-small", "query: hi", "passage: hi")]
    [InlineData("multilingual-e5-base-q8_0.gguf", "query: hi", "passage: hi")]
    [InlineData("/models/intfloat/multilingual-e5-large", "query: hi", "passage: hi")]
    [InlineData("multilingual-e5-large-instruct-f16.gguf", "Instruct: Classify the given text into one of the categories\nQuery: hi", "hi")]
    [InlineData("BAAI/bge-m3", "hi", "hi")]
    [InlineData("all-MiniLM-L6-v2", "hi", "hi")]
    [InlineData("some-unknown-encoder", "hi", "hi")]
    public void Known_models_get_the_input_convention_of_their_model_card(string model, string query, string passage)
    {
        var convention = KnownEncoders.ConventionFor(model);
        Assert.Equal(query, convention.Apply("hi"));
        Assert.Equal(passage, convention.Apply("hi", EncoderInputKind.Passage));
    }

    [Fact]
    public void A_configured_instruction_replaces_the_default_one_of_instruct_models_only()
    {
        var factory = new EncoderFactory(new EncoderFactoryOptions { Instruction = "Identify the topic of the news article" });
        var instruct = factory.ConventionFor(new GgufEncoderReference("/m/multilingual-e5-large-instruct-q8_0.gguf"));
        Assert.Equal("Instruct: Identify the topic of the news article\nQuery: hi", instruct.Apply("hi"));
        Assert.Equal("query: hi", factory.ConventionFor(new GgufEncoderReference("/m/multilingual-e5-small.gguf")).Apply("hi"));
    }

    /// <summary>A deterministic fake encoder that records what it was asked.</summary>
    internal sealed class CountingEncoder : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Lock _gate = new();

        public List<int> CallSizes { get; } = [];

        public List<string> Texts { get; } = [];

        public static float[] VectorOf(string text) => [text.Length, text[0], text[^1]];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToArray();
            lock (_gate)
            {
                CallSizes.Add(texts.Length);
                Texts.AddRange(texts);
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(VectorOf(t)))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
