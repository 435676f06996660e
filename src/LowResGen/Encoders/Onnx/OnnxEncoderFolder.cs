using System.Text.Json;
using LowResGen.Common;

namespace LowResGen.Encoders.Onnx;

/// <summary>Which tokenizer file a folder has.</summary>
public enum OnnxTokenizerKind
{
    /// <summary>BERT WordPiece (<c>vocab.txt</c>).</summary>
    WordPiece,

    /// <summary>XLM-R SentencePiece (<c>sentencepiece.bpe.model</c>), ids shifted to fairseq's dictionary.</summary>
    XlmRobertaSentencePiece,

    /// <summary>XLM-R SentencePiece-unigram from Hugging Face's <c>tokenizer.json</c> (ids as listed).</summary>
    XlmRobertaTokenizerJson,
}

/// <summary>
/// What a sentence-transformers export folder declares: the ONNX file (<c>model.onnx</c>, or <c>onnx/model.onnx</c> as
/// Hugging Face repositories lay it out), the tokenizer, the pooling (<c>1_Pooling/config.json</c>, found through
/// <c>modules.json</c> when present), whether a Normalize module follows, lower-casing and the maximum sequence length
/// (<c>sentence_bert_config.json</c>, else <c>tokenizer_config.json</c>). Undeclared: mean pooling, normalized (what every
/// known model's sentence-transformers configuration says), 512 tokens.
/// </summary>
public sealed record OnnxEncoderFolder(
    string Folder,
    string ModelPath,
    OnnxTokenizerKind TokenizerKind,
    string TokenizerPath,
    EmbeddingPooling Pooling,
    bool Normalize,
    bool LowerCase,
    int MaxTokens)
{
    public const int DefaultMaxTokens = 512;

    /// <summary>True when <paramref name="path"/> is a folder with a model.onnx (or onnx/model.onnx).</summary>
    public static bool IsOnnxFolder(string path) =>
        Directory.Exists(path) && (File.Exists(Path.Combine(path, "model.onnx")) || File.Exists(Path.Combine(path, "onnx", "model.onnx")));

    public static OnnxEncoderFolder Read(string folder)
    {
        folder = Path.GetFullPath(folder);
        var model = new[] { Path.Combine(folder, "model.onnx"), Path.Combine(folder, "onnx", "model.onnx") }.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{folder}: no model.onnx (nor onnx/model.onnx) in this encoder folder.", Path.Combine(folder, "model.onnx"));

        var (kind, tokenizer) = File.Exists(Path.Combine(folder, "vocab.txt")) ? (OnnxTokenizerKind.WordPiece, Path.Combine(folder, "vocab.txt"))
            : File.Exists(Path.Combine(folder, "sentencepiece.bpe.model")) ? (OnnxTokenizerKind.XlmRobertaSentencePiece, Path.Combine(folder, "sentencepiece.bpe.model"))
            : File.Exists(Path.Combine(folder, "tokenizer.json")) ? (OnnxTokenizerKind.XlmRobertaTokenizerJson, Path.Combine(folder, "tokenizer.json"))
            : throw new FileNotFoundException($"{folder}: no tokenizer (vocab.txt, sentencepiece.bpe.model or tokenizer.json) beside the model.", Path.Combine(folder, "vocab.txt"));

        var poolingFolder = Path.Combine(folder, "1_Pooling");
        var normalize = true;
        var modulesPath = Path.Combine(folder, "modules.json");
        if (File.Exists(modulesPath))
        {
            using var modules = ReadJson(modulesPath);
            if (modules.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new DataFormatException(modulesPath, null, null, "must be a JSON array of modules");
            }

            var types = modules.RootElement.EnumerateArray()
                .Select(m => (Type: m.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", Path: m.TryGetProperty("path", out var p) ? p.GetString() ?? "" : ""))
                .ToList();
            normalize = types.Any(m => m.Type.EndsWith(".Normalize", StringComparison.Ordinal));
            if (types.FirstOrDefault(m => m.Type.EndsWith(".Pooling", StringComparison.Ordinal)) is { Path.Length: > 0 } pooling)
            {
                poolingFolder = Path.Combine(folder, pooling.Path);
            }
        }

        var poolingConfig = Path.Combine(poolingFolder, "config.json");
        var poolingMode = File.Exists(poolingConfig) ? ReadPooling(poolingConfig) : EmbeddingPooling.Mean;

        int? maxTokens = null;
        bool? lowerCase = null;
        var sentenceBert = Path.Combine(folder, "sentence_bert_config.json");
        if (File.Exists(sentenceBert))
        {
            using var config = ReadJson(sentenceBert);
            maxTokens = Integer(config.RootElement, "max_seq_length", sentenceBert);
            lowerCase = Boolean(config.RootElement, "do_lower_case", sentenceBert);
        }

        var tokenizerConfig = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(tokenizerConfig))
        {
            using var config = ReadJson(tokenizerConfig);

            // Hugging Face writes a huge sentinel (1e30) when a tokenizer has no limit; the model's own 512 applies then.
            maxTokens ??= Integer(config.RootElement, "model_max_length", tokenizerConfig) is { } limit && limit <= 1 << 20 ? limit : null;
            if (kind == OnnxTokenizerKind.WordPiece && Boolean(config.RootElement, "do_lower_case", tokenizerConfig) is { } lower)
            {
                lowerCase = lower;
            }
        }

        if (maxTokens is < 3)
        {
            throw new DataFormatException(sentenceBert, null, "max_seq_length", $"must be at least 3 tokens, not {maxTokens}");
        }

        // An uncased vocabulary has no capital letters, so lower-casing is what the model was trained with.
        return new OnnxEncoderFolder(folder, model, kind, tokenizer, poolingMode, normalize, lowerCase ?? kind == OnnxTokenizerKind.WordPiece,
            maxTokens ?? DefaultMaxTokens);
    }

    private static EmbeddingPooling ReadPooling(string path)
    {
        using var config = ReadJson(path);
        var root = config.RootElement;
        bool Flag(string name) => Boolean(root, name, path) == true;
        var declared = new List<EmbeddingPooling>();
        if (Flag("pooling_mode_mean_tokens"))
        {
            declared.Add(EmbeddingPooling.Mean);
        }

        if (Flag("pooling_mode_cls_token"))
        {
            declared.Add(EmbeddingPooling.Cls);
        }

        if (Flag("pooling_mode_lasttoken"))
        {
            declared.Add(EmbeddingPooling.Last);
        }

        foreach (var unsupported in new[] { "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens" })
        {
            if (Flag(unsupported))
            {
                throw new DataFormatException(path, null, unsupported, "this pooling is not supported (mean, CLS and last-token are)");
            }
        }

        return declared.Count switch
        {
            1 => declared[0],
            0 => throw new DataFormatException(path, null, "pooling_mode_mean_tokens", "declares no pooling mode"),
            _ => throw new DataFormatException(path, null, "pooling_mode_*", "declares several pooling modes at once (concatenated pooling is not supported)"),
        };
    }

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber + 1, null, $"not valid JSON: {e.Message}", e);
        }
    }

    private static bool? Boolean(JsonElement root, string name, string file) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw new DataFormatException(file, null, name, "must be true or false"),
            }
            : null;

    private static int? Integer(JsonElement root, string name, string file) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= 0 && number == Math.Floor(number)
                ? number > int.MaxValue ? int.MaxValue : (int)number
                : throw new DataFormatException(file, null, name, "must be a whole number")
            : null;
}
