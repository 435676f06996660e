using LowResGen.Common;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace LowResGen.Encoders.Onnx;

/// <summary>How to run an ONNX sentence-transformer export.</summary>
public sealed record OnnxEncoderOptions(string Folder)
{
    /// <summary>Texts per forward pass. Texts are sorted by length first, so each batch pads to a similar length.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Upper bound on tokens per text (the folder's own limit applies when lower); longer texts are truncated.</summary>
    public int MaxTokens { get; init; } = OnnxEncoderFolder.DefaultMaxTokens;

    /// <summary>Intra-op threads; null = every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Overrides the pooling the folder declares.</summary>
    public EmbeddingPooling? Pooling { get; init; }

    /// <summary>Overrides whether the folder's Normalize module applies.</summary>
    public bool? Normalize { get; init; }
}

/// <summary>A tokenized batch: row-major ids padded to <see cref="Length"/>, and each row's real token count.</summary>
internal sealed record TokenBatch(int[] Indices, long[] InputIds, long[] AttentionMask, int[] TokenCounts, int Length)
{
    public int Rows => Indices.Length;
}

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over a sentence-transformers ONNX export (see
/// <see cref="OnnxEncoderFolder"/>): Microsoft.ML.Tokenizers for the tokenizer, ONNX Runtime for the transformer, then the
/// declared pooling and normalization. Texts of one call are sorted by token count and cut into batches, each padded only
/// to its own longest text, so short texts do not pay for long ones. One forward pass at a time (each already uses every core).
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceSession _session;
    private readonly EncoderTokenizer _tokenizer;
    private readonly OnnxEncoderOptions _options;
    private readonly SemaphoreSlim _runGate = new(1, 1);
    private readonly bool _needsTokenTypes;
    private readonly string _hiddenOutput;
    private readonly bool _outputIsPooled;
    private readonly EmbeddingGeneratorMetadata _metadata;

    private OnnxEmbeddingGenerator(OnnxEncoderFolder folder, OnnxEncoderOptions options, InferenceSession session, EncoderTokenizer tokenizer)
    {
        Folder = folder;
        _options = options;
        _session = session;
        _tokenizer = tokenizer;
        Pooling = options.Pooling ?? folder.Pooling;
        Normalize = options.Normalize ?? folder.Normalize;
        MaxTokens = Math.Min(options.MaxTokens, folder.MaxTokens);
        foreach (var input in session.InputMetadata.Keys)
        {
            if (input is not ("input_ids" or "attention_mask" or "token_type_ids"))
            {
                throw new NotSupportedException($"{folder.ModelPath}: unexpected model input '{input}' (input_ids, attention_mask and token_type_ids are supported).");
            }
        }

        _needsTokenTypes = session.InputMetadata.ContainsKey("token_type_ids");

        // Token vectors ([batch, length, dims]) are pooled here as declared; a pooled "sentence_embedding" output is used as it is.
        // Other rank-2 outputs (BERT's tanh "pooler" over [CLS]) are not sentence embeddings and are ignored.
        var outputs = session.OutputMetadata;
        if (outputs.FirstOrDefault(o => o.Value.Dimensions.Length == 3 && o.Key is "last_hidden_state" or "token_embeddings").Key is { } hidden)
        {
            _hiddenOutput = hidden;
        }
        else if (outputs.ContainsKey("sentence_embedding"))
        {
            _hiddenOutput = "sentence_embedding";
            _outputIsPooled = true;
        }
        else if (outputs.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key is { } anyHidden)
        {
            _hiddenOutput = anyHidden;
        }
        else
        {
            throw new NotSupportedException($"{folder.ModelPath}: no token-vector output (last_hidden_state) nor sentence_embedding among {string.Join(", ", outputs.Keys)}.");
        }

        Dimensions = (int)outputs[_hiddenOutput].Dimensions[^1];
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", new Uri(folder.Folder + Path.DirectorySeparatorChar), Path.GetFileName(folder.Folder), Dimensions > 0 ? Dimensions : null);
        Identity = $"onnx:{Path.GetFileName(folder.Folder)}:{new FileInfo(folder.ModelPath).Length}:{tokenizer.Description}:{Pooling}:{(Normalize ? "norm" : "raw")}:{MaxTokens}";
    }

    public static OnnxEmbeddingGenerator Load(OnnxEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1 || options.MaxTokens < 3 || options.Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BatchSize and Threads must be positive, MaxTokens at least 3.");
        }

        var folder = OnnxEncoderFolder.Read(options.Folder);
        EncoderTokenizer tokenizer = folder.TokenizerKind switch
        {
            OnnxTokenizerKind.WordPiece => new WordPieceEncoderTokenizer(folder.TokenizerPath, folder.LowerCase),
            OnnxTokenizerKind.XlmRobertaSentencePiece => OpenWith(folder.TokenizerPath, XlmRobertaEncoderTokenizer.FromSentencePieceModel),
            _ => OpenWith(folder.TokenizerPath, XlmRobertaEncoderTokenizer.FromTokenizerJson),
        };
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads ?? Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        var session = new InferenceSession(folder.ModelPath, sessionOptions);
        try
        {
            return new OnnxEmbeddingGenerator(folder, options, session, tokenizer);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static EncoderTokenizer OpenWith(string path, Func<Stream, EncoderTokenizer> create)
    {
        using var stream = File.OpenRead(path);
        return create(stream);
    }

    public OnnxEncoderFolder Folder { get; }

    public EmbeddingPooling Pooling { get; }

    public bool Normalize { get; }

    /// <summary>Tokens per text after truncation, special tokens included.</summary>
    public int MaxTokens { get; }

    public int Dimensions { get; }

    /// <summary>What makes two generators' embeddings interchangeable: folder name, model size, tokenizer, pooling, length.</summary>
    public string Identity { get; }

    /// <summary>The input ids the model sees for <paramref name="text"/>, special tokens included.</summary>
    public int[] Tokenize(string text) => _tokenizer.Encode(text, MaxTokens);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        var tokens = texts.Select(Tokenize).ToArray();
        var vectors = new float[texts.Count][];
        await _runGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var batch in PlanBatches(tokens, _options.BatchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pooled = await Task.Run(() => Run(batch), cancellationToken).ConfigureAwait(false);
                for (var row = 0; row < batch.Rows; row++)
                {
                    vectors[batch.Indices[row]] = pooled[row];
                }
            }
        }
        finally
        {
            _runGate.Release();
        }

        return EmbeddingResults.From(vectors, _metadata.DefaultModelId, tokens.Sum(t => (long)t.Length));
    }

    /// <summary>Batches of at most <paramref name="batchSize"/> texts of similar token counts, each padded to its longest.</summary>
    internal static IEnumerable<TokenBatch> PlanBatches(IReadOnlyList<int[]> tokens, int batchSize, int padId = 0)
    {
        // Sorted by length (stable, so equal lengths keep their order): each batch pads only to its own longest text.
        var order = Enumerable.Range(0, tokens.Count).OrderBy(i => tokens[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var indices = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            var length = indices.Max(i => tokens[i].Length);
            var ids = new long[indices.Length * length];
            var mask = new long[indices.Length * length];
            var counts = new int[indices.Length];
            if (padId != 0)
            {
                Array.Fill(ids, padId);
            }

            for (var row = 0; row < indices.Length; row++)
            {
                var text = tokens[indices[row]];
                counts[row] = text.Length;
                for (var t = 0; t < text.Length; t++)
                {
                    ids[(row * length) + t] = text[t];
                    mask[(row * length) + t] = 1;
                }
            }

            yield return new TokenBatch(indices, ids, mask, counts, length);
        }
    }

    /// <summary>Plans batches with this model's padding id.</summary>
    internal IEnumerable<TokenBatch> PlanBatches(IReadOnlyList<int[]> tokens) => PlanBatches(tokens, _options.BatchSize, _tokenizer.PadId);

    /// <summary>One forward pass, pooled.</summary>
    internal float[][] Run(TokenBatch batch)
    {
        long[] shape = [batch.Rows, batch.Length];
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = _needsTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[batch.InputIds.Length], shape) : null;
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = ids, ["attention_mask"] = mask };
        if (types is not null)
        {
            inputs["token_type_ids"] = types;
        }

        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, inputs, [_hiddenOutput]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var dims = outputs[0].GetTensorTypeAndShape().Shape[^1];
        var result = new float[batch.Rows][];
        for (var row = 0; row < batch.Rows; row++)
        {
            if (_outputIsPooled)
            {
                result[row] = hidden.Slice(row * (int)dims, (int)dims).ToArray();
                if (Normalize)
                {
                    LowResGen.Encoders.Pooling.Normalize(result[row]);
                }
            }
            else
            {
                result[row] = LowResGen.Encoders.Pooling.Pool(hidden, row, batch.Length, (int)dims, batch.TokenCounts[row], Pooling, Normalize);
            }
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        BackendServices.Resolve(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        _session.Dispose();
        _runGate.Dispose();
    }
}
