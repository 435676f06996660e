using LLama;
using LLama.Common;
using LLama.Native;
using LowResGen.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LowResGen.Encoders.Embedded;

/// <summary>How to run a GGUF encoder in-process.</summary>
public sealed record GgufEncoderOptions(string ModelPath)
{
    /// <summary>Texts decoded together, one sequence each. One by default: with LLamaSharp 0.30's llama.cpp on CPU, several
    /// sequences per decode were slower per text (0.33-0.75x, docs/encoders.md), so batching is opt-in.</summary>
    public int MaxSequences { get; init; } = 1;

    /// <summary>Tokens per decode (all sequences together); also the context size. A non-causal model needs a whole batch in one micro-batch.</summary>
    public int BatchTokens { get; init; } = 512;

    /// <summary>Tokens per text, special tokens included (the model's training context applies when lower).</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>L2-normalize the pooled vectors (what sentence-transformers does for every known encoder).</summary>
    public bool Normalize { get; init; } = true;

    public int? Threads { get; init; }
}

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over a GGUF encoder (BERT, XLM-R family as llama.cpp loads them)
/// that embeds many texts per decode: texts are sorted by length and packed into one batch, one sequence per text, up to
/// <see cref="GgufEncoderOptions.MaxSequences"/> sequences and <see cref="GgufEncoderOptions.BatchTokens"/> tokens, and each
/// sequence's vector is read with llama.cpp's pooling for that sequence — the pooling the model declares
/// (<c>bert.pooling_type</c>). One context for the generator's life, unlike LLamaSharp's LLamaEmbedder (a text per decode).
/// </summary>
public sealed class GgufEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly GgufEncoderOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly EmbeddingGeneratorMetadata _metadata;

    private GgufEmbeddingGenerator(GgufEncoderOptions options, LLamaWeights weights, LLamaContext context, int maxTokens)
    {
        _options = options;
        _weights = weights;
        _context = context;
        MaxTokens = maxTokens;
        Pooling = context.NativeHandle.PoolingType switch
        {
            LLamaPoolingType.Mean => EmbeddingPooling.Mean,
            LLamaPoolingType.CLS => EmbeddingPooling.Cls,
            LLamaPoolingType.Last => EmbeddingPooling.Last,
            var other => throw new NotSupportedException($"{options.ModelPath}: pooling '{other}' is not a sentence embedding (mean, CLS or last are)."),
        };
        Dimensions = context.EmbeddingSize;
        _metadata = new EmbeddingGeneratorMetadata("llama.cpp", new Uri(Path.GetFullPath(options.ModelPath)), Path.GetFileName(options.ModelPath), Dimensions);
        Identity = $"gguf:{Path.GetFileName(options.ModelPath)}:{new FileInfo(options.ModelPath).Length}:{Pooling}:{(options.Normalize ? "norm" : "raw")}:{MaxTokens}";
    }

    /// <summary>Loads the model; llama.cpp's log lines go to <paramref name="logger"/> (dropped when null).</summary>
    public static GgufEmbeddingGenerator Load(GgufEncoderOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ModelPath))
        {
            throw new FileNotFoundException($"Encoder file not found: {options.ModelPath}", options.ModelPath);
        }

        if (options.MaxSequences < 1 || options.MaxTokens < 3 || options.BatchTokens < options.MaxTokens || options.Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxSequences and Threads must be positive, MaxTokens at least 3 and at most BatchTokens.");
        }

        NativeLogConfig.llama_log_set(logger ?? NullLogger.Instance);
        var weights = LLamaWeights.LoadFromFile(new ModelParams(options.ModelPath) { GpuLayerCount = 0 });
        try
        {
            var contextParams = new ModelParams(options.ModelPath)
            {
                ContextSize = (uint)options.BatchTokens,
                BatchSize = (uint)options.BatchTokens,
                UBatchSize = (uint)options.BatchTokens,
                SeqMax = (uint)options.MaxSequences,
                Embeddings = true,
                PoolingType = LLamaPoolingType.Unspecified, // the model's own
                Threads = options.Threads,
                BatchThreads = options.Threads ?? Environment.ProcessorCount,
            };
            var context = weights.CreateContext(contextParams, logger);
            var maxTokens = Math.Min(options.MaxTokens, weights.ContextSize > 0 ? weights.ContextSize : options.MaxTokens);
            return new GgufEmbeddingGenerator(options, weights, context, maxTokens);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    public EmbeddingPooling Pooling { get; }

    public int Dimensions { get; }

    public int MaxTokens { get; }

    /// <summary>What makes two generators' embeddings interchangeable: file name and size, pooling, normalization, length.</summary>
    public string Identity { get; }

    /// <summary>The model's tokens for <paramref name="text"/> (its special tokens added), truncated keeping the last one.</summary>
    public LLamaToken[] Tokenize(string text)
    {
        var tokens = _context.Tokenize(text, addBos: true, special: false);
        if (tokens.Length <= MaxTokens)
        {
            return tokens;
        }

        var truncated = tokens[..MaxTokens];
        truncated[^1] = tokens[^1];
        return truncated;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Embed(texts, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private GeneratedEmbeddings<Embedding<float>> Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var tokens = texts.Select(Tokenize).ToArray();
        var vectors = new float[texts.Count][];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray();
        var batch = new LLamaBatch();
        var members = new List<int>();
        var next = 0;
        while (next < order.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            members.Clear();
            var used = 0;
            while (next < order.Length && members.Count < _options.MaxSequences && used + tokens[order[next]].Length <= _options.BatchTokens)
            {
                var index = order[next++];
                var sequence = (LLamaSeqId)members.Count;
                var text = tokens[index];
                for (var position = 0; position < text.Length; position++)
                {
                    batch.Add(text[position], position, sequence, true);
                }

                used += text.Length;
                members.Add(index);
            }

            var result = _context.NativeHandle.Decode(batch);
            if (result != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"{Path.GetFileName(_options.ModelPath)}: llama.cpp could not decode a batch of {members.Count} texts ({used} tokens): {result}.");
            }

            for (var s = 0; s < members.Count; s++)
            {
                var vector = _context.NativeHandle.GetEmbeddingsSeq((LLamaSeqId)s).ToArray();
                if (_options.Normalize)
                {
                    LowResGen.Encoders.Pooling.Normalize(vector);
                }

                vectors[members[s]] = vector;
            }

            _context.NativeHandle.MemoryClear(true);
        }

        return EmbeddingResults.From(vectors, _metadata.DefaultModelId, tokens.Sum(t => (long)t.Length));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        BackendServices.Resolve(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
        _gate.Dispose();
    }
}
