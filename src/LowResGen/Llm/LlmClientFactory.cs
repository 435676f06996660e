using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Llm;

/// <summary>Settings shared by every client a run creates.</summary>
public sealed record LlmClientOptions
{
    /// <summary>SQLite file of the response cache; null disables caching.</summary>
    public string? CachePath { get; init; }

    /// <summary>The response cache's file name in a command's output folder: every LLM command caches there by default.</summary>
    public const string DefaultCacheFileName = "llm-cache.sqlite";

    /// <summary>The default response cache of a command that writes into <paramref name="outputDirectory"/>.</summary>
    public static string DefaultCachePathIn(string outputDirectory) => Path.Combine(outputDirectory, DefaultCacheFileName);

    /// <summary>Where usage is counted; share it across clients and read <see cref="UsageTracker.Report"/> after the run.</summary>
    public UsageTracker Usage { get; init; } = new();

    public ILoggerFactory? LoggerFactory { get; init; }

    public RetryOptions Retry { get; init; } = new();

    /// <summary>Named models (<c>llm.toml</c>); see <see cref="LlmConfig.LoadDefault"/>.</summary>
    public LlmConfig? Config { get; init; }

    /// <summary>Model name for a bare URL (<c>--model-name</c>).</summary>
    public string? ModelName { get; init; }

    /// <summary>NAME of the environment variable holding the API key for a URL (<c>--api-key-env</c>).</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>In-flight limit per endpoint for URLs given on the command line (config files set their own).</summary>
    public int MaxInFlightPerEndpoint { get; init; } = ServedEndpoint.DefaultMaxInFlight;

    /// <summary>Time limit of one attempt for every served model (overrides timeout_seconds in the config); null keeps theirs.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Adaptive concurrency backs off when latency per token exceeds this multiple of the best seen.</summary>
    public double LatencyTolerance { get; init; } = 4.0;

    /// <summary>
    /// Builds the embedded (LLamaSharp) backend. It receives the GGUF path already resolved (a file, or a name in the
    /// model cache); null makes embedded references an error. Default: <see cref="Embedded"/> with default options.
    /// </summary>
    public Func<EmbeddedModelReference, ILogger?, IChatClient>? EmbeddedBackend { get; init; } =
        Embedded(path => new LowResGen.Llm.Embedded.EmbeddedModelOptions(path));

    /// <summary>The model cache that embedded model names resolve in; null = the default (see <c>ModelCache</c>).</summary>
    public string? ModelCacheDirectory { get; init; }

    /// <summary>An embedded backend that loads LLamaSharp with the options <paramref name="options"/> gives for a GGUF path.</summary>
    public static Func<EmbeddedModelReference, ILogger?, IChatClient> Embedded(Func<string, LowResGen.Llm.Embedded.EmbeddedModelOptions> options) =>
        (reference, logger) => LowResGen.Llm.Embedded.EmbeddedChatClient.Load(options(reference.PathOrName), logger);

    /// <summary>Optional shared HttpClient for served backends (tests, custom proxies).</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// The clock of every wait in the clients built: retry backoff and Retry-After, an attempt's time limit, endpoint cool-downs,
    /// the adaptive limit's decrease window. Tests pass a fake one (FakeTimeProvider) instead of sleeping.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// The one place that turns a <c>--model</c> value into a ready <see cref="IChatClient"/>: the backend plus the standard
/// middleware stack, outermost first:
/// <list type="number">
/// <item>logging (redacted): sees the final outcome of each call;</item>
/// <item>usage: counts every call once, including cache hits and failures, so counters add up;</item>
/// <item>cache: a hit skips everything below, including rate limits;</item>
/// <item>retry: each attempt re-enters the concurrency limit, so waiting out a backoff holds no slot;</item>
/// <item>answer validation: null/empty content, no choices or a content filter is a failed attempt, retried and never cached;</item>
/// <item>adaptive concurrency + rate limits (served models): sees each attempt's latency and 429s directly;</item>
/// <item>backend: served (per-endpoint in-flight limits, least-loaded routing) or embedded.</item>
/// </list>
/// Every command (generation, classification, studies) should create its clients here.
/// </summary>
public sealed class LlmClientFactory(LlmClientOptions? options = null)
{
    private readonly LlmClientOptions _options = options ?? new LlmClientOptions();

    public LlmClientOptions Options => _options;

    /// <summary>Usage of every client this factory created.</summary>
    public UsageReport Usage => _options.Usage.Report();

    /// <summary>Parses <paramref name="model"/> (see <see cref="ModelReference.Parse"/>) and builds its client.</summary>
    public IChatClient Create(string model) => Create(Parse(model));

    public ModelReference Parse(string model) =>
        ModelReference.Parse(model, _options.ModelName, _options.Config, _options.ApiKeyEnvironmentVariable, _options.MaxInFlightPerEndpoint);

    /// <summary>
    /// The model id the client for <paramref name="model"/> would report (its <see cref="ChatClientMetadata.DefaultModelId"/>),
    /// without creating it: dry runs name the model, and match stored descriptions, without loading weights.
    /// </summary>
    public string ModelIdOf(string model) => Parse(model) switch
    {
        ServedModelReference served => served.Options.Model,
        EmbeddedModelReference embedded => Path.GetFileName(new LowResGen.Llm.Models.ModelCache(_options.ModelCacheDirectory).Resolve(embedded.PathOrName)
            ?? embedded.PathOrName),
        var other => other.DisplayName,
    };

    public IChatClient Create(ModelReference reference) => reference switch
    {
        ServedModelReference served => CreateServed(served),
        EmbeddedModelReference embedded => CreateEmbedded(embedded),
        _ => throw new ArgumentException($"Unsupported model reference {reference.GetType().Name}.", nameof(reference)),
    };

    private IChatClient CreateServed(ServedModelReference reference)
    {
        var served = _options.RequestTimeout is { } timeout ? reference.Options with { RequestTimeout = timeout } : reference.Options;
        var backend = new OpenAiCompatibleChatClient(served, _options.HttpClient, _options.TimeProvider);
        var secrets = reference.Options.ApiKeyEnvironmentVariable is { } variable && Environment.GetEnvironmentVariable(variable) is { } key ? [key] : Array.Empty<string>();
        var concurrency = new ConcurrencyOptions
        {
            InitialLimit = backend.TotalMaxInFlight,
            LatencyTolerance = _options.LatencyTolerance,
            RequestsPerMinute = reference.RequestsPerMinute,
            TokensPerMinute = reference.TokensPerMinute,
        };
        return Stack(backend, "served:" + reference.Options.Model, reference.DisplayName, reference.Price, secrets, concurrency);
    }

    private IChatClient CreateEmbedded(EmbeddedModelReference reference)
    {
        var factory = _options.EmbeddedBackend ?? throw new InvalidOperationException(
            $"'{reference.PathOrName}' is not a server URL or a configured model name, and this build has no embedded runtime to load it.");
        // The one place a model name becomes a file: a path as given, else a name in the model cache.
        var cache = new LowResGen.Llm.Models.ModelCache(_options.ModelCacheDirectory);
        if (cache.Resolve(reference.PathOrName) is { } path)
        {
            reference = new EmbeddedModelReference(path);
        }
        else if (reference.IsFilePath)
        {
            throw new FileNotFoundException($"Model file not found: {reference.PathOrName} (nor in the model cache {cache.Directory}; see `lowresgen models list`)", reference.PathOrName);
        }
        else
        {
            throw new ArgumentException($"'{reference.PathOrName}' is not a GGUF file, a name in the model cache ({cache.Directory}; see `lowresgen models list` "
                + "and `lowresgen models pull`), a server URL or a model named in llm.toml.");
        }

        var backend = factory(reference, _options.LoggerFactory?.CreateLogger("LowResGen.Llm.Embedded"));

        // The file's name and size identify its weights for the cache, wherever the file is moved.
        var identity = $"gguf:{Path.GetFileName(path)}:{new FileInfo(path).Length}";

        // The embedded runtime batches its own parallel sequences; no HTTP-style concurrency layer is needed.
        return Stack(backend, identity, reference.DisplayName, price: null, secrets: [], concurrency: null);
    }

    private IChatClient Stack(IChatClient backend, string identity, string displayName, ModelPrice? price, string[] secrets, ConcurrencyOptions? concurrency)
    {
        var builder = new ChatClientBuilder(backend);
        if (_options.LoggerFactory?.CreateLogger("LowResGen.Llm") is { } logger)
        {
            builder.UseLowResGenLogging(logger, secrets);
        }

        builder.UseLowResGenUsage(_options.Usage, price, displayName);
        if (_options.CachePath is { } cachePath)
        {
            builder.UseLowResGenCache(cachePath, identity);
        }

        builder.UseLowResGenRetry(_options.Retry, _options.LoggerFactory?.CreateLogger("LowResGen.Llm.Retry"), secrets, _options.TimeProvider);
        builder.UseLowResGenAnswerValidation();
        if (concurrency is not null)
        {
            builder.UseLowResGenConcurrency(concurrency, _options.TimeProvider);
        }

        return builder.Build();
    }
}
