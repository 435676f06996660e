using Microsoft.Extensions.AI;

namespace LowResGen.Encoders;

/// <summary>What a text is to the encoder: asymmetric models (e5) embed queries and passages differently.</summary>
public enum EncoderInputKind
{
    /// <summary>A query, or any text of a symmetric task such as classification (e5's advice: use "query: " there).</summary>
    Query,

    /// <summary>A document to be retrieved.</summary>
    Passage,
}

/// <summary>Keys of <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> that LowResGen's encoders read.</summary>
public static class EncoderOptionKeys
{
    /// <summary>An <see cref="EncoderInputKind"/>: overrides the encoder's default input kind for one call.</summary>
    public const string InputKind = "lowresgen.input_kind";

    public static EncoderInputKind? GetInputKind(this EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(InputKind, out var value) == true
            ? value switch
            {
                EncoderInputKind kind => kind,
                string text when Enum.TryParse<EncoderInputKind>(text, ignoreCase: true, out var parsed) => parsed,
                _ => throw new ArgumentException($"{InputKind} must be query or passage, not '{value}'."),
            }
            : null;
}

/// <summary>
/// How a model expects its input: prefixes per input kind (e5: <c>query: </c>, <c>passage: </c>) and, for -instruct
/// models, an instruction put before queries (<c>Instruct: {instruction}\nQuery: {text}</c>). Part of the encoder's
/// configuration and of its cache identity, since the same text with another prefix is another embedding.
/// </summary>
public sealed record EncoderInputConvention
{
    public static EncoderInputConvention None { get; } = new();

    public string QueryPrefix { get; init; } = "";

    public string PassagePrefix { get; init; } = "";

    /// <summary>Format of a query when an instruction is set: {0} = instruction, {1} = text. Null: no instruction.</summary>
    public string? InstructionFormat { get; init; }

    /// <summary>The task instruction for instruction-tuned models; classification by default.</summary>
    public string? Instruction { get; init; }

    /// <summary>Kind of input when a call does not say (<see cref="EncoderOptionKeys.InputKind"/>).</summary>
    public EncoderInputKind DefaultKind { get; init; } = EncoderInputKind.Query;

    public bool IsIdentity => QueryPrefix.Length == 0 && PassagePrefix.Length == 0 && (InstructionFormat is null || Instruction is null);

    /// <summary>The text the model sees.</summary>
    public string Apply(string text, EncoderInputKind? kind = null) => (kind ?? DefaultKind) switch
    {
        EncoderInputKind.Passage => PassagePrefix + text,
        _ when InstructionFormat is { } format && Instruction is { } instruction => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, instruction, text),
        _ => QueryPrefix + text,
    };

    /// <summary>A stable description for cache identities.</summary>
    public string Describe() => IsIdentity ? "plain" : $"q={QueryPrefix}|p={PassagePrefix}|i={InstructionFormat}|{Instruction}|{DefaultKind}";
}

/// <summary>An encoder the documentation names, with the input convention its model card prescribes.</summary>
/// <param name="Name">Short name (the Hugging Face repository's name without owner), e.g. <c>multilingual-e5-small</c>.</param>
/// <param name="Repository">Hugging Face repository of the original model.</param>
/// <param name="Dimensions">Embedding size.</param>
/// <param name="Convention">Prefixes and instruction.</param>
public sealed record KnownEncoder(string Name, string Repository, int Dimensions, EncoderInputConvention Convention);

/// <summary>
/// Input conventions of the encoders LowResGen knows, from their model cards. A model is recognised by its name appearing
/// in the file or folder name (<c>multilingual-e5-small-q8_0.gguf</c>, <c>.../multilingual-e5-base/</c>) or the served model
/// name; unknown models get no prefix.
/// </summary>
public static class KnownEncoders
{
    /// <summary>Default instruction of -instruct models: LowResGen embeds texts to classify them.</summary>
    public const string ClassificationInstruction = "Classify the given text into one of the categories";

    private static readonly EncoderInputConvention E5 = new() { QueryPrefix = "query: ", PassagePrefix = "passage: " };

    // multilingual-e5-large-instruct: "Instruct: {task}\nQuery: {text}" for queries, documents without instruction.
    private static readonly EncoderInputConvention E5Instruct = new()
    {
        InstructionFormat = "Instruct: {0}\nQuery: {1}",
        Instruction = ClassificationInstruction,
    };

    /// <summary>Most specific names first: "multilingual-e5-large-instruct" before "multilingual-e5-large".</summary>
    public static IReadOnlyList<KnownEncoder> All { get; } =
    [
        new("multilingual-e5-large-instruct", "intfloat/multilingual-e5-large-instruct", 1024, E5Instruct),
        new("multilingual-e5-small", "intfloat/multilingual-e5-small", 384, E5),
        new("multilingual-e5-base", "intfloat/multilingual-e5-base", 768, E5),
        new("multilingual-e5-large", "intfloat/multilingual-e5-large", 1024, E5),
        new("bge-m3", "BAAI/bge-m3", 1024, EncoderInputConvention.None),
        new("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", 384, EncoderInputConvention.None),
    ];

    /// <summary>The known encoder whose name appears in <paramref name="modelName"/> (case- and separator-insensitive), or null.</summary>
    public static KnownEncoder? Find(string modelName)
    {
        var normalized = Normalize(modelName);
        return All.FirstOrDefault(e => normalized.Contains(Normalize(e.Name), StringComparison.Ordinal));
    }

    /// <summary>The convention for <paramref name="modelName"/>: a known model's, else none.</summary>
    public static EncoderInputConvention ConventionFor(string modelName) => Find(modelName)?.Convention ?? EncoderInputConvention.None;

    private static string Normalize(string name) => name.ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
}
