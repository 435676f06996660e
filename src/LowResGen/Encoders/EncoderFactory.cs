using LowResGen.Encoders.Middleware;
using LowResGen.Encoders.Onnx;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Encoders;

/// <summary>What an encoder reference names, after <see cref="EncoderFactory.Parse"/>.</summary>
public abstract record EncoderReference
{
    /// <summary>Short name for logs and reports.</summary>
    public abstract string DisplayName { get; }
}

/// <summary>A sentence-transformers ONNX export folder (model.onnx + tokenizer).</summary>
public sealed record OnnxEncoderReference(string Folder) : EncoderReference
{
    public override string DisplayName => Path.GetFileName(Path.TrimEndingDirectorySeparator(Folder));
}

/// <summary>A GGUF encoder file for the embedded runtime (llama.cpp), resolved to a path.</summary>
public sealed record GgufEncoderReference(string Path) : EncoderReference
{
    public override string DisplayName => System.IO.Path.GetFileNameWithoutExtension(Path);
}

/// <summary>An embedding model on OpenAI-compatible <c>/v1/embeddings</c> endpoints.</summary>
public sealed record ServedEncoderReference(string Name, ServedModelOptions Options) : EncoderReference
{
    public override string DisplayName => Name;
}

/// <summary>Settings shared by every encoder a run creates.</summary>
public sealed record EncoderFactoryOptions
{
    /// <summary>SQLite file of the embedding cache; null disables caching.</summary>
    public string? CachePath { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Retry policy of served encoders (the chat middleware's).</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>Named models (<c>llm.toml</c>): served endpoints, or a <c>gguf</c> path (a GGUF file or an ONNX folder).</summary>
    public LlmConfig? Config { get; init; }

    /// <summary>NAME of the environment variable holding the API key for a URL.</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>In-flight requests per endpoint for URLs given directly.</summary>
    public int MaxInFlightPerEndpoint { get; init; } = ServedEndpoint.DefaultMaxInFlight;

    /// <summary>Texts per request to a served encoder.</summary>
    public int MaxTextsPerRequest { get; init; } = 64;

    /// <summary>Texts per forward pass of a local encoder (ONNX, GGUF).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Tokens per text, at most (longer texts are truncated).</summary>
    public int MaxTokens { get; init; } = OnnxEncoderFolder.DefaultMaxTokens;

    /// <summary>Threads of a local encoder; null = every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Overrides the input convention the model's name implies (<see cref="KnownEncoders"/>).</summary>
    public EncoderInputConvention? Convention { get; init; }

    /// <summary>Instruction for -instruct models (replaces the default classification instruction).</summary>
    public string? Instruction { get; init; }

    /// <summary>The model cache that names resolve in; null = the default.</summary>
    public string? ModelCacheDirectory { get; init; }

    public HttpClient? HttpClient { get; init; }

    /// <summary>The clock of every wait of served encoders (retry backoff, Retry-After, time limits, cool-downs); tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// The one place that turns an encoder reference (the forms of <c>--model</c>) into a ready
/// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>: an ONNX export folder, a GGUF file or model-cache name, an
/// <c>http(s)://host/v1#model</c> URL (commas for several endpoints), or a name in <c>llm.toml</c>. The backend is wrapped,
/// outermost first, in: input convention (e5 prefixes, instructions) → SQLite cache keyed by the encoder's identity and the
/// text → for served encoders, request splitting → retry → adaptive concurrency.
/// </summary>
public sealed class EncoderFactory(EncoderFactoryOptions? options = null)
{
    private readonly EncoderFactoryOptions _options = options ?? new EncoderFactoryOptions();

    public EncoderFactoryOptions Options => _options;

    /// <summary>Builds the encoder <paramref name="reference"/> names with <paramref name="options"/>.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(string reference, EncoderFactoryOptions? options) =>
        new EncoderFactory(options).Create(reference);

    public IEmbeddingGenerator<string, Embedding<float>> Create(string reference) => Create(Parse(reference));

    /// <summary>Decides what <paramref name="reference"/> names; files and folders must exist.</summary>
    public EncoderReference Parse(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var model = ModelReference.Parse(reference, null, _options.Config, _options.ApiKeyEnvironmentVariable, _options.MaxInFlightPerEndpoint);
        if (model is ServedModelReference served)
        {
            return new ServedEncoderReference(served.Name, served.Options);
        }

        var path = ((EmbeddedModelReference)model).PathOrName;
        if (OnnxEncoderFolder.IsOnnxFolder(path))
        {
            return new OnnxEncoderReference(Path.GetFullPath(path));
        }

        if (File.Exists(path) && Path.GetFileName(path).Equals("model.onnx", StringComparison.OrdinalIgnoreCase))
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return new OnnxEncoderReference(Path.GetFileName(folder) == "onnx" ? Path.GetDirectoryName(folder)! : folder);
        }

        var cache = new LowResGen.Llm.Models.ModelCache(_options.ModelCacheDirectory);
        if (cache.Resolve(path) is { } gguf)
        {
            return new GgufEncoderReference(gguf);
        }

        if (Directory.Exists(path))
        {
            throw new ArgumentException($"{path}: not an encoder folder (no model.onnx, nor onnx/model.onnx).");
        }

        throw new ArgumentException($"'{reference}' is not an ONNX encoder folder, a GGUF file, a name in the model cache ({cache.Directory}), "
            + "an http(s)://host/v1#model URL or a model named in llm.toml.");
    }

    public IEmbeddingGenerator<string, Embedding<float>> Create(EncoderReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var convention = ConventionFor(reference);
        return reference switch
        {
            OnnxEncoderReference onnx => CreateOnnx(onnx, convention),
            ServedEncoderReference served => CreateServed(served, convention),
            GgufEncoderReference gguf => CreateGguf(gguf, convention),
            _ => throw new ArgumentException($"Unsupported encoder reference {reference.GetType().Name}.", nameof(reference)),
        };
    }

    /// <summary>The input convention of <paramref name="reference"/>: the configured one, else the known model's, with the instruction applied.</summary>
    public EncoderInputConvention ConventionFor(EncoderReference reference)
    {
        var name = reference switch
        {
            ServedEncoderReference served => served.Options.Model,
            OnnxEncoderReference onnx => onnx.Folder,
            GgufEncoderReference gguf => gguf.Path,
            _ => reference.DisplayName,
        };
        var convention = _options.Convention ?? KnownEncoders.ConventionFor(name);
        return _options.Instruction is { } instruction && convention.InstructionFormat is not null ? convention with { Instruction = instruction } : convention;
    }

    private IEmbeddingGenerator<string, Embedding<float>> CreateOnnx(OnnxEncoderReference reference, EncoderInputConvention convention)
    {
        var backend = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(reference.Folder)
        {
            BatchSize = _options.BatchSize,
            MaxTokens = _options.MaxTokens,
            Threads = _options.Threads,
        });
        return Stack(backend, backend.Identity, convention, served: null);
    }

    private IEmbeddingGenerator<string, Embedding<float>> CreateGguf(GgufEncoderReference reference, EncoderInputConvention convention)
    {
        var backend = LowResGen.Encoders.Embedded.GgufEmbeddingGenerator.Load(
            new LowResGen.Encoders.Embedded.GgufEncoderOptions(reference.Path)
            {
                // The GGUF encoder's own defaults (one text per decode, the fastest measured); BatchSize is the ONNX batch.
                MaxTokens = _options.MaxTokens,
                BatchTokens = Math.Max(_options.MaxTokens, new LowResGen.Encoders.Embedded.GgufEncoderOptions(reference.Path).BatchTokens),
                Threads = _options.Threads,
            },
            _options.LoggerFactory?.CreateLogger("LowResGen.Encoders.Embedded"));
        return Stack(backend, backend.Identity, convention, served: null);
    }

    private IEmbeddingGenerator<string, Embedding<float>> CreateServed(ServedEncoderReference reference, EncoderInputConvention convention)
    {
        var backend = new LowResGen.Encoders.Served.OpenAiCompatibleEmbeddingGenerator(reference.Options, _options.HttpClient, _options.TimeProvider);
        var secrets = backend.ApiKey is { } key ? new[] { key } : [];
        var concurrency = new ConcurrencyOptions { InitialLimit = backend.TotalMaxInFlight };
        return Stack(backend, "served:" + reference.Options.Model, convention, new ServedStack(secrets, concurrency));
    }

    private IEmbeddingGenerator<string, Embedding<float>> Stack(IEmbeddingGenerator<string, Embedding<float>> backend, string identity,
        EncoderInputConvention convention, ServedStack? served)
    {
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(backend);
        if (!convention.IsIdentity)
        {
            builder.UseLowResGenInputConvention(convention);
        }

        if (_options.CachePath is { } cachePath)
        {
            // The cache sees the text as the model does (prefix included), so the key is identity + model input.
            var cache = new SqliteDistributedCache(cachePath);
            builder.UseLowResGenCache(cache, identity);
            builder.Use(inner => new OwningEmbeddingGenerator(inner, cache));
        }

        if (served is not null)
        {
            builder.UseLowResGenRequestSplitting(_options.MaxTextsPerRequest);
            builder.UseLowResGenRetry(_options.Retry, _options.LoggerFactory?.CreateLogger("LowResGen.Encoders.Retry"), served.Secrets, _options.TimeProvider);
            builder.UseLowResGenConcurrency(served.Concurrency, _options.TimeProvider);
        }

        return builder.Build();
    }

    private sealed record ServedStack(string[] Secrets, ConcurrencyOptions Concurrency);
}

/// <summary>Disposes a resource (the cache file) with the generator that uses it.</summary>
internal sealed class OwningEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, IDisposable owned)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            owned.Dispose();
        }
    }
}
