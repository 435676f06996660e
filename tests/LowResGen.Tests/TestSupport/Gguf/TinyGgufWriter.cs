using System.Buffers.Binary;
using System.Text;

namespace LowResGen.TestSupport.Gguf;

/// <summary>Storage type of the weight matrices (norm vectors are always F32, as llama.cpp expects).</summary>
public enum GgufWeightType
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q8_0 = 8,
    Q4_K = 12,
}

/// <summary>
/// Shape of a llama-architecture model written by <see cref="TinyGgufWriter"/>. The defaults give a model of a few
/// hundred thousand parameters that loads and generates in milliseconds; the bench raises them to realistic sizes.
/// </summary>
public sealed record GgufModelSpec
{
    public int Layers { get; init; } = 2;
    public int EmbeddingSize { get; init; } = 64;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 2;
    public int FeedForwardSize { get; init; } = 128;
    public int ContextLength { get; init; } = 1024;

    /// <summary>Ordinary tokens added after the byte and special tokens, to reach a realistic vocabulary size.</summary>
    public int ExtraTokens { get; init; }

    public GgufWeightType WeightType { get; init; } = GgufWeightType.F32;
    public int Seed { get; init; } = 1234;

    /// <summary>
    /// Scale of the output projection: a larger value makes the next-token distribution peakier, so a random model
    /// still has clear preferences (useful for tests of log-probabilities).
    /// </summary>
    public float OutputScale { get; init; } = 4f;

    public string Name { get; init; } = "tiny-random-llama";
    public string ChatTemplate { get; init; } = TinyGgufWriter.ChatMlTemplate;

    public int HeadSize => EmbeddingSize / Heads;
    public int KvSize => HeadSize * KvHeads;
    public int VocabularySize => TinyGgufWriter.SpecialTokens.Length + 256 + ExtraTokens;

    /// <summary>Number of weights (embedding, output and all layers).</summary>
    public long ParameterCount =>
        2L * VocabularySize * EmbeddingSize + EmbeddingSize
        + Layers * (2L * EmbeddingSize + 2L * EmbeddingSize * EmbeddingSize + 2L * EmbeddingSize * KvSize + 3L * EmbeddingSize * FeedForwardSize);
}

/// <summary>Pooling a BERT GGUF declares (llama.cpp's <c>bert.pooling_type</c>).</summary>
public enum GgufPooling
{
    Mean = 1,
    Cls = 2,
}

/// <summary>Shape of a BERT-architecture encoder written by <see cref="TinyGgufWriter.WriteBert"/>.</summary>
public sealed record BertGgufSpec
{
    public int Layers { get; init; } = 2;
    public int EmbeddingSize { get; init; } = 32;
    public int Heads { get; init; } = 2;
    public int FeedForwardSize { get; init; } = 64;
    public int ContextLength { get; init; } = 128;
    public int ExtraTokens { get; init; }
    public GgufPooling Pooling { get; init; } = GgufPooling.Mean;
    public GgufWeightType WeightType { get; init; } = GgufWeightType.F32;
    public int Seed { get; init; } = 4321;
    public string Name { get; init; } = "tiny-random-bert";
}

/// <summary>
/// Writes a GGUF v3 file holding a llama-architecture model with random weights and a byte-level SentencePiece
/// vocabulary (<c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, ChatML markers, then the 256 byte tokens
/// <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>), so any text round-trips through the tokenizer. Used by the tests (tiny model,
/// no download) and by the embedded benchmark (realistic layer sizes; output quality is irrelevant to speed).
/// </summary>
public static class TinyGgufWriter
{
    /// <summary>A ChatML template; llama.cpp recognises it by its <c>&lt;|im_start|&gt;</c> markers.</summary>
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    internal static readonly string[] SpecialTokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"];

    public const int UnknownTokenId = 0;
    public const int BosTokenId = 1;
    public const int EosTokenId = 2;
    public const int ImEndTokenId = 4;

    /// <summary>Id of the byte token <c>&lt;0xXX&gt;</c>.</summary>
    public static int ByteTokenId(byte value) => SpecialTokens.Length + value;

    private const int Alignment = 32;

    private enum ValueType : uint
    {
        UInt32 = 4,
        Int32 = 5,
        Float32 = 6,
        Bool = 7,
        String = 8,
        Array = 9,
    }

    private sealed record TensorInfo(string Name, long[] Dimensions, GgufWeightType Type, float Scale)
    {
        public long ElementCount => Dimensions.Aggregate(1L, (a, b) => a * b);

        public long ByteSize => Type switch
        {
            GgufWeightType.F32 => ElementCount * 4,
            GgufWeightType.F16 => ElementCount * 2,
            GgufWeightType.Q8_0 => ElementCount / 32 * 34,
            GgufWeightType.Q4_0 => ElementCount / 32 * 18,
            GgufWeightType.Q4_K => ElementCount / 256 * 144,
            _ => throw new NotSupportedException(Type.ToString()),
        };
    }

    public static void Write(string path, GgufModelSpec? spec = null)
    {
        spec ??= new GgufModelSpec();
        Validate(spec);
        WriteFile(path, Metadata(spec), Tensors(spec), spec.Seed);
    }

    private static void WriteFile(string path, List<Action<BinaryWriter>> metadata, List<TensorInfo> tensors, int seed)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteHeader(writer, metadata, tensors);
            var random = new SplitMix(seed);
            foreach (var tensor in tensors)
            {
                Pad(writer);
                WriteTensorData(writer, tensor, random);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static void Validate(GgufModelSpec spec)
    {
        if (spec.EmbeddingSize % spec.Heads != 0 || spec.Heads % spec.KvHeads != 0 || spec.HeadSize % 2 != 0)
        {
            throw new ArgumentException("EmbeddingSize must divide into an even head size, and Heads into KvHeads.", nameof(spec));
        }

        if (spec.WeightType is GgufWeightType.Q8_0 or GgufWeightType.Q4_0 && (spec.EmbeddingSize % 32 != 0 || spec.FeedForwardSize % 32 != 0))
        {
            throw new ArgumentException("Quantized weights need EmbeddingSize and FeedForwardSize divisible by 32.", nameof(spec));
        }

        if (spec.WeightType is GgufWeightType.Q4_K && (spec.EmbeddingSize % 256 != 0 || spec.FeedForwardSize % 256 != 0))
        {
            throw new ArgumentException("Q4_K weights need EmbeddingSize and FeedForwardSize divisible by 256.", nameof(spec));
        }
    }

    private static List<TensorInfo> Tensors(GgufModelSpec spec)
    {
        long embd = spec.EmbeddingSize, ff = spec.FeedForwardSize, kv = spec.KvSize, vocab = spec.VocabularySize;
        var type = spec.WeightType;
        float Scale(long fanIn) => 1f / MathF.Sqrt(fanIn);
        var tensors = new List<TensorInfo>
        {
            new("token_embd.weight", [embd, vocab], type, 1f),
            new("output_norm.weight", [embd], GgufWeightType.F32, 0f),
            new("output.weight", [embd, vocab], type, spec.OutputScale * Scale(embd)),
        };
        for (var layer = 0; layer < spec.Layers; layer++)
        {
            var p = $"blk.{layer}.";
            tensors.Add(new(p + "attn_norm.weight", [embd], GgufWeightType.F32, 0f));
            tensors.Add(new(p + "attn_q.weight", [embd, embd], type, Scale(embd)));
            tensors.Add(new(p + "attn_k.weight", [embd, kv], type, Scale(embd)));
            tensors.Add(new(p + "attn_v.weight", [embd, kv], type, Scale(embd)));
            tensors.Add(new(p + "attn_output.weight", [embd, embd], type, Scale(embd)));
            tensors.Add(new(p + "ffn_norm.weight", [embd], GgufWeightType.F32, 0f));
            tensors.Add(new(p + "ffn_gate.weight", [embd, ff], type, Scale(embd)));
            tensors.Add(new(p + "ffn_up.weight", [embd, ff], type, Scale(embd)));
            tensors.Add(new(p + "ffn_down.weight", [ff, embd], type, Scale(ff)));
        }

        return tensors;
    }

    private static List<Action<BinaryWriter>> Metadata(GgufModelSpec spec)
    {
        var tokens = new List<string>(SpecialTokens);
        var types = new List<int> { 2, 3, 3, 3, 3 }; // unknown, control...
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(6); // byte
        }

        for (var i = 0; i < spec.ExtraTokens; i++)
        {
            tokens.Add($"\u2581w{i}");
            types.Add(1); // normal
        }

        var metadata = new List<Action<BinaryWriter>>
        {
            w => Kv(w, "general.architecture", "llama"),
            w => Kv(w, "general.name", spec.Name),
            w => Kv(w, "general.alignment", (uint)Alignment),
            w => Kv(w, "llama.context_length", (uint)spec.ContextLength),
            w => Kv(w, "llama.embedding_length", (uint)spec.EmbeddingSize),
            w => Kv(w, "llama.block_count", (uint)spec.Layers),
            w => Kv(w, "llama.feed_forward_length", (uint)spec.FeedForwardSize),
            w => Kv(w, "llama.attention.head_count", (uint)spec.Heads),
            w => Kv(w, "llama.attention.head_count_kv", (uint)spec.KvHeads),
            w => Kv(w, "llama.rope.dimension_count", (uint)spec.HeadSize),
            w => Kv(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f),
            w => Kv(w, "llama.vocab_size", (uint)tokens.Count),
            w => Kv(w, "tokenizer.ggml.model", "llama"),
            w => KvArray(w, "tokenizer.ggml.tokens", tokens),
            w => KvArray(w, "tokenizer.ggml.scores", tokens.Select((_, i) => i < SpecialTokens.Length + 256 ? 0f : -i).ToList()),
            w => KvArray(w, "tokenizer.ggml.token_type", types),
            w => Kv(w, "tokenizer.ggml.bos_token_id", (uint)BosTokenId),
            w => Kv(w, "tokenizer.ggml.eos_token_id", (uint)EosTokenId),
            w => Kv(w, "tokenizer.ggml.unknown_token_id", (uint)UnknownTokenId),
            w => Kv(w, "tokenizer.ggml.add_bos_token", true),
            w => Kv(w, "tokenizer.ggml.add_eos_token", false),
            w => Kv(w, "tokenizer.ggml.add_space_prefix", false),
            w => Kv(w, "tokenizer.chat_template", spec.ChatTemplate),
        };
        return metadata;
    }

    private static void WriteHeader(BinaryWriter writer, List<Action<BinaryWriter>> metadata, List<TensorInfo> tensors)
    {
        writer.Write(0x46554747u); // "GGUF"
        writer.Write(3u);
        writer.Write((ulong)tensors.Count);
        writer.Write((ulong)metadata.Count);
        foreach (var item in metadata)
        {
            item(writer);
        }

        long offset = 0;
        foreach (var tensor in tensors)
        {
            WriteString(writer, tensor.Name);
            writer.Write((uint)tensor.Dimensions.Length);
            foreach (var dimension in tensor.Dimensions)
            {
                writer.Write((ulong)dimension);
            }

            writer.Write((uint)tensor.Type);
            writer.Write((ulong)offset);
            offset = AlignUp(offset + tensor.ByteSize);
        }
    }

    private static void WriteTensorData(BinaryWriter writer, TensorInfo tensor, SplitMix random)
    {
        const int chunk = 1 << 16; // a multiple of every block size (32 weights, 256 for Q4_K)
        var buffer = new byte[chunk * 4];
        var values = new float[chunk];
        for (long done = 0; done < tensor.ElementCount; done += chunk)
        {
            var count = (int)Math.Min(chunk, tensor.ElementCount - done);
            for (var i = 0; i < count; i++)
            {
                // Norm weights are 1 (scale 0 marks them), biases 0 (negative scale); everything else uniform in [-scale, scale].
                values[i] = tensor.Scale == 0f ? 1f : tensor.Scale < 0f ? 0f : (random.NextFloat() * 2f - 1f) * tensor.Scale;
            }

            var length = Encode(values.AsSpan(0, count), tensor.Type, buffer);
            writer.Write(buffer, 0, length);
        }
    }

    private static int Encode(ReadOnlySpan<float> values, GgufWeightType type, byte[] buffer)
    {
        switch (type)
        {
            case GgufWeightType.F32:
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), values[i]);
                }

                return values.Length * 4;
            case GgufWeightType.F16:
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(i * 2), (Half)values[i]);
                }

                return values.Length * 2;
            case GgufWeightType.Q8_0:
                var position = 0;
                for (var block = 0; block < values.Length; block += 32)
                {
                    var slice = values.Slice(block, 32);
                    var max = 0f;
                    foreach (var v in slice)
                    {
                        max = MathF.Max(max, MathF.Abs(v));
                    }

                    var d = max / 127f;
                    BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(position), (Half)d);
                    position += 2;
                    foreach (var v in slice)
                    {
                        buffer[position++] = (byte)(sbyte)(d == 0f ? 0 : Math.Clamp(MathF.Round(v / d), -127f, 127f));
                    }
                }

                return position;
            case GgufWeightType.Q4_0:
                // ggml's reference Q4_0: scale = (value of largest magnitude) / -8, 4-bit codes offset by 8,
                // element j in the low nibble and element j + 16 in the high nibble of byte j.
                var offset = 0;
                for (var block = 0; block < values.Length; block += 32)
                {
                    var slice = values.Slice(block, 32);
                    var extreme = 0f;
                    foreach (var v in slice)
                    {
                        extreme = MathF.Abs(v) > MathF.Abs(extreme) ? v : extreme;
                    }

                    var scale = extreme / -8f;
                    var inverse = scale == 0f ? 0f : 1f / scale;
                    BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(offset), (Half)scale);
                    offset += 2;
                    for (var j = 0; j < 16; j++)
                    {
                        var low = Math.Min(15, (int)(slice[j] * inverse + 8.5f));
                        var high = Math.Min(15, (int)(slice[j + 16] * inverse + 8.5f));
                        buffer[offset++] = (byte)(low | (high << 4));
                    }
                }

                return offset;
            case GgufWeightType.Q4_K:
                var written = 0;
                for (var block = 0; block < values.Length; block += 256)
                {
                    written += EncodeQ4KBlock(values.Slice(block, 256), buffer.AsSpan(written));
                }

                return written;
            default:
                throw new NotSupportedException(type.ToString());
        }
    }

    /// <summary>
    /// One Q4_K super-block (256 weights, 144 bytes): fp16 d and dmin, twelve bytes of 6-bit sub-block scales and
    /// mins, then 4-bit codes; a weight is d * scale * code - dmin * min. A plain min/max fit per 32-weight sub-block
    /// (ggml's reference searches for better ones; for random weights this one is close enough).
    /// </summary>
    private static int EncodeQ4KBlock(ReadOnlySpan<float> values, Span<byte> output)
    {
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        for (var j = 0; j < 8; j++)
        {
            var slice = values.Slice(j * 32, 32);
            float low = 0f, high = 0f;
            foreach (var v in slice)
            {
                low = MathF.Min(low, v);
                high = MathF.Max(high, v);
            }

            scales[j] = (high - low) / 15f;
            mins[j] = -low;
        }

        float maxScale = 0f, maxMin = 0f;
        for (var j = 0; j < 8; j++)
        {
            maxScale = MathF.Max(maxScale, scales[j]);
            maxMin = MathF.Max(maxMin, mins[j]);
        }

        var d = (float)(Half)(maxScale / 63f);
        var dMin = (float)(Half)(maxMin / 63f);
        Span<byte> packed = output.Slice(4, 12);
        packed.Clear();
        Span<int> codes = stackalloc int[8];
        Span<int> minCodes = stackalloc int[8];
        for (var j = 0; j < 8; j++)
        {
            codes[j] = d == 0f ? 0 : Math.Clamp((int)MathF.Round(scales[j] / d), 0, 63);
            minCodes[j] = dMin == 0f ? 0 : Math.Clamp((int)MathF.Round(mins[j] / dMin), 0, 63);
            if (j < 4)
            {
                packed[j] |= (byte)codes[j];
                packed[j + 4] |= (byte)minCodes[j];
            }
            else
            {
                packed[j + 4] = (byte)((codes[j] & 0xF) | ((minCodes[j] & 0xF) << 4));
                packed[j - 4] |= (byte)((codes[j] >> 4) << 6);
                packed[j] |= (byte)((minCodes[j] >> 4) << 6);
            }
        }

        BinaryPrimitives.WriteHalfLittleEndian(output, (Half)d);
        BinaryPrimitives.WriteHalfLittleEndian(output[2..], (Half)dMin);

        // Codes: bytes 0-31 of each 64-weight group hold weights l (low nibble) and l + 32 (high nibble).
        var quants = output.Slice(16, 128);
        for (var group = 0; group < 4; group++)
        {
            for (var l = 0; l < 32; l++)
            {
                var first = Q4KCode(values[group * 64 + l], d * codes[group * 2], dMin * minCodes[group * 2]);
                var second = Q4KCode(values[group * 64 + 32 + l], d * codes[group * 2 + 1], dMin * minCodes[group * 2 + 1]);
                quants[group * 32 + l] = (byte)(first | (second << 4));
            }
        }

        return 144;
    }

    private static int Q4KCode(float value, float scale, float min) =>
        scale == 0f ? 0 : Math.Clamp((int)MathF.Round((value + min) / scale), 0, 15);

    /// <summary>
    /// Writes a BERT-architecture encoder (llama.cpp's "bert": token, position and token-type embeddings, post-norm layers
    /// with biases, non-causal attention) with random weights, the pooling it declares, and a tiny WordPiece vocabulary
    /// (see <see cref="BertVocabulary"/>) in llama.cpp's form (word starts marked with U+2581, continuations bare).
    /// </summary>
    public static void WriteBert(string path, BertGgufSpec? spec = null)
    {
        spec ??= new BertGgufSpec();
        if (spec.EmbeddingSize % spec.Heads != 0)
        {
            throw new ArgumentException("EmbeddingSize must divide into heads.", nameof(spec));
        }

        var vocabulary = BertVocabulary(spec.ExtraTokens);
        long embd = spec.EmbeddingSize, ff = spec.FeedForwardSize;
        var type = spec.WeightType;
        float Scale(long fanIn) => 1f / MathF.Sqrt(fanIn);
        const float Zero = -1f;
        var tensors = new List<TensorInfo>
        {
            new("token_embd.weight", [embd, vocabulary.Count], type, 1f),
            new("token_types.weight", [embd, 2], GgufWeightType.F32, 0.1f),
            new("position_embd.weight", [embd, spec.ContextLength], GgufWeightType.F32, 0.1f),
            new("token_embd_norm.weight", [embd], GgufWeightType.F32, 0f),
            new("token_embd_norm.bias", [embd], GgufWeightType.F32, Zero),
        };
        for (var layer = 0; layer < spec.Layers; layer++)
        {
            var p = $"blk.{layer}.";
            foreach (var name in new[] { "attn_q", "attn_k", "attn_v", "attn_output" })
            {
                tensors.Add(new(p + name + ".weight", [embd, embd], type, Scale(embd)));
                tensors.Add(new(p + name + ".bias", [embd], GgufWeightType.F32, Zero));
            }

            tensors.Add(new(p + "attn_output_norm.weight", [embd], GgufWeightType.F32, 0f));
            tensors.Add(new(p + "attn_output_norm.bias", [embd], GgufWeightType.F32, Zero));
            tensors.Add(new(p + "ffn_up.weight", [embd, ff], type, Scale(embd)));
            tensors.Add(new(p + "ffn_up.bias", [ff], GgufWeightType.F32, Zero));
            tensors.Add(new(p + "ffn_down.weight", [ff, embd], type, Scale(ff)));
            tensors.Add(new(p + "ffn_down.bias", [embd], GgufWeightType.F32, Zero));
            tensors.Add(new(p + "layer_output_norm.weight", [embd], GgufWeightType.F32, 0f));
            tensors.Add(new(p + "layer_output_norm.bias", [embd], GgufWeightType.F32, Zero));
        }

        var metadata = new List<Action<BinaryWriter>>
        {
            w => Kv(w, "general.architecture", "bert"),
            w => Kv(w, "general.name", spec.Name),
            w => Kv(w, "general.alignment", (uint)Alignment),
            w => Kv(w, "bert.context_length", (uint)spec.ContextLength),
            w => Kv(w, "bert.embedding_length", (uint)spec.EmbeddingSize),
            w => Kv(w, "bert.feed_forward_length", (uint)spec.FeedForwardSize),
            w => Kv(w, "bert.block_count", (uint)spec.Layers),
            w => Kv(w, "bert.attention.head_count", (uint)spec.Heads),
            w => Kv(w, "bert.attention.layer_norm_epsilon", 1e-12f),
            w => Kv(w, "bert.attention.causal", false),
            w => Kv(w, "bert.pooling_type", (uint)spec.Pooling),
            w => Kv(w, "tokenizer.ggml.model", "bert"),
            w => KvArray(w, "tokenizer.ggml.tokens", vocabulary),
            w => KvArray(w, "tokenizer.ggml.token_type", vocabulary.Select((_, i) => i < BertSpecialTokens.Length ? 3 : 1).ToList()),
            w => Kv(w, "tokenizer.ggml.token_type_count", 2u),
            w => Kv(w, "tokenizer.ggml.bos_token_id", (uint)BertClsId),
            w => Kv(w, "tokenizer.ggml.eos_token_id", (uint)BertSepId),
            w => Kv(w, "tokenizer.ggml.unknown_token_id", 1u),
            w => Kv(w, "tokenizer.ggml.seperator_token_id", (uint)BertSepId),
            w => Kv(w, "tokenizer.ggml.padding_token_id", 0u),
            w => Kv(w, "tokenizer.ggml.cls_token_id", (uint)BertClsId),
            w => Kv(w, "tokenizer.ggml.mask_token_id", 4u),
        };
        WriteFile(path, metadata, tensors, spec.Seed);
    }

    internal static readonly string[] BertSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    public const int BertClsId = 2;
    public const int BertSepId = 3;

    /// <summary>Specials, then a word-start and a continuation piece for every lowercase letter and digit, a few words and
    /// punctuation, then <paramref name="extra"/> filler words: any lowercase ASCII text tokenizes without [UNK].</summary>
    public static List<string> BertVocabulary(int extra = 0)
    {
        var tokens = new List<string>(BertSpecialTokens);
        foreach (var c in "abcdefghijklmnopqrstuvwxyz0123456789")
        {
            tokens.Add("\u2581" + c);
            tokens.Add(c.ToString());
        }

        tokens.AddRange(["\u2581hello", "\u2581world", "\u2581the", "\u2581cat", "\u2581!", "\u2581.", "\u2581,", "\u2581?"]);
        tokens.AddRange(Enumerable.Range(0, extra).Select(i => $"\u2581w{i}"));
        return tokens;
    }

    private static long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter writer)
    {
        var position = writer.BaseStream.Position;
        for (var i = position; i < AlignUp(position); i++)
        {
            writer.Write((byte)0);
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void Kv(BinaryWriter writer, string key, string value)
    {
        WriteString(writer, key);
        writer.Write((uint)ValueType.String);
        WriteString(writer, value);
    }

    private static void Kv(BinaryWriter writer, string key, uint value)
    {
        WriteString(writer, key);
        writer.Write((uint)ValueType.UInt32);
        writer.Write(value);
    }

    private static void Kv(BinaryWriter writer, string key, float value)
    {
        WriteString(writer, key);
        writer.Write((uint)ValueType.Float32);
        writer.Write(value);
    }

    internal static void Kv(BinaryWriter writer, string key, bool value)
    {
        WriteString(writer, key);
        writer.Write((uint)ValueType.Bool);
        writer.Write(value);
    }

    private static void KvArray<T>(BinaryWriter writer, string key, List<T> values)
    {
        WriteString(writer, key);
        writer.Write((uint)ValueType.Array);
        var elementType = values switch
        {
            List<string> => ValueType.String,
            List<float> => ValueType.Float32,
            List<int> => ValueType.Int32,
            _ => throw new NotSupportedException(typeof(T).Name),
        };
        writer.Write((uint)elementType);
        writer.Write((ulong)values.Count);
        foreach (var value in values)
        {
            switch (value)
            {
                case string s:
                    WriteString(writer, s);
                    break;
                case float f:
                    writer.Write(f);
                    break;
                case int i:
                    writer.Write(i);
                    break;
            }
        }
    }

    /// <summary>A small, fast, seedable generator: writing hundreds of millions of weights with System.Random is slow.</summary>
    private sealed class SplitMix(long seed)
    {
        private ulong _state = (ulong)seed;

        public float NextFloat()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 40) * (1f / (1 << 24));
        }
    }
}
