using System.Diagnostics;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace LowResGen.Encoders.Middleware;

/// <summary>Puts each text into the form its model expects (e5's <c>query: </c>, an -instruct model's instruction).</summary>
public sealed class InputConventionEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, EncoderInputConvention convention)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(innerGenerator)
{
    public EncoderInputConvention Convention { get; } = convention;

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var kind = options.GetInputKind();
        return base.GenerateAsync(values.Select(v => Convention.Apply(v, kind)).ToArray(), options, cancellationToken);
    }
}

/// <summary>
/// Cuts a call into requests of at most <see cref="MaxTextsPerRequest"/> texts and sends them concurrently, so the layers
/// below (retry, adaptive concurrency) see each request on its own: a failed request is retried alone, and the concurrency
/// limit counts requests, not calls.
/// </summary>
public sealed class RequestSplittingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, int maxTextsPerRequest)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(innerGenerator)
{
    public int MaxTextsPerRequest { get; } = maxTextsPerRequest >= 1 ? maxTextsPerRequest : throw new ArgumentOutOfRangeException(nameof(maxTextsPerRequest));

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        if (texts.Count <= MaxTextsPerRequest)
        {
            return await base.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
        }

        var parts = await Task.WhenAll(texts.Chunk(MaxTextsPerRequest).Select(chunk => base.GenerateAsync(chunk, options, cancellationToken))).ConfigureAwait(false);
        var all = new GeneratedEmbeddings<Embedding<float>>(parts.SelectMany(p => p));
        if (parts.Any(p => p.Usage is not null))
        {
            all.Usage = new UsageDetails { InputTokenCount = parts.Sum(p => p.Usage?.InputTokenCount ?? 0) };
        }

        return all;
    }
}

/// <summary>
/// Retries transient failures of embedding requests with the chat middleware's policy (<see cref="RetryOptions"/>:
/// exponential backoff with jitter, 429 honouring Retry-After, 5xx, broken connections, malformed answers; client errors
/// are not retried). A request that still fails throws an <see cref="LlmRequestException"/> with its attempts.
/// </summary>
public sealed class RetryingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ResiliencePipeline _pipeline;
    private readonly string[] _secrets;

    public RetryingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, RetryOptions? options = null, ILogger? logger = null,
        IEnumerable<string>? secrets = null, TimeProvider? timeProvider = null)
        : base(innerGenerator)
    {
        _secrets = secrets?.ToArray() ?? [];
        _pipeline = RetryPipeline.Create(options ?? new RetryOptions(), logger ?? NullLogger.Instance, _secrets, "Embedding request", timeProvider: timeProvider);
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct =>
                {
                    Interlocked.Increment(ref attempts);
                    return await base.GenerateAsync(texts, options, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (LlmRequestException e)
        {
            e.Attempts = attempts;
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            throw RetryPipeline.GaveUp(e, "Embedding request", this.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId, attempts, _secrets);
        }
    }
}

/// <summary>
/// The chat middleware's adaptive concurrency (<see cref="AimdLimiter"/>) for embedding requests: the in-flight limit
/// grows while requests succeed, halves on 429 and shrinks when latency per text rises well above the best seen.
/// </summary>
public sealed class AdaptiveConcurrencyEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly AimdLimiter _limiter;

    public AdaptiveConcurrencyEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, ConcurrencyOptions options,
        TimeProvider? timeProvider = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limiter = new AimdLimiter(options.InitialLimit, options.MinLimit, options.MaxLimit ?? options.InitialLimit, options.LatencyTolerance, timeProvider);
    }

    public int CurrentLimit => _limiter.CurrentLimit;

    public int PeakInFlight => _limiter.PeakInFlight;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var outcome = AimdOutcome.Neutral;
        try
        {
            var result = await base.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
            outcome = AimdOutcome.Success;
            return result;
        }
        catch (LlmRequestException e) when (e.Kind == LlmFailureKind.RateLimited)
        {
            outcome = AimdOutcome.RateLimited;
            throw;
        }
        finally
        {
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            _limiter.Release(outcome, seconds, outcome == AimdOutcome.Success ? seconds / Math.Max(1, texts.Count) : null);
        }
    }
}

/// <summary>
/// The LowResGen encoder middleware as <see cref="EmbeddingGeneratorBuilder{TInput,TEmbedding}"/> steps; the first added is
/// the outermost. <see cref="EncoderFactory"/> uses: input convention → cache → request splitting → retry → concurrency → backend.
/// </summary>
public static class LowResGenEmbeddingGeneratorBuilderExtensions
{
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseLowResGenInputConvention(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        EncoderInputConvention convention) =>
        builder.Use(inner => new InputConventionEmbeddingGenerator(inner, convention));

    /// <summary>
    /// Microsoft.Extensions.AI's <see cref="DistributedCachingEmbeddingGenerator{TInput,TEmbedding}"/> over
    /// <paramref name="cache"/>, keyed by <paramref name="encoderIdentity"/> and the text (as the model sees it). Misses of one
    /// call go to the inner generator in one call.
    /// </summary>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseLowResGenCache(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Microsoft.Extensions.Caching.Distributed.IDistributedCache cache, string encoderIdentity) =>
        builder.Use(inner => new DistributedCachingEmbeddingGenerator<string, Embedding<float>>(inner, cache) { CacheKeyAdditionalValues = ["lowresgen-encoder-v1", encoderIdentity] });

    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseLowResGenRequestSplitting(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        int maxTextsPerRequest) =>
        builder.Use(inner => new RequestSplittingEmbeddingGenerator(inner, maxTextsPerRequest));

    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseLowResGenRetry(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        RetryOptions? options = null, ILogger? logger = null, IEnumerable<string>? secrets = null, TimeProvider? timeProvider = null) =>
        builder.Use(inner => new RetryingEmbeddingGenerator(inner, options, logger, secrets, timeProvider));

    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseLowResGenConcurrency(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        ConcurrencyOptions options, TimeProvider? timeProvider = null) =>
        builder.Use(inner => new AdaptiveConcurrencyEmbeddingGenerator(inner, options, timeProvider));
}
