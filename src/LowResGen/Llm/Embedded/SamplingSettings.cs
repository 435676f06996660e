using System.Text;
using LLama.Sampling;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Embedded;

/// <summary>The sampling of one request, read from its <see cref="ChatOptions"/>.</summary>
internal sealed record SamplingSettings(
    float Temperature,
    float TopP,
    int TopK,
    float MinP,
    uint Seed,
    float RepetitionPenalty,
    float FrequencyPenalty,
    float PresencePenalty,
    int MaxOutputTokens,
    IReadOnlyList<string> StopSequences,
    string? Grammar)
{
    // llama.cpp's defaults.
    public const float DefaultTemperature = 0.8f;
    public const float DefaultTopP = 0.95f;
    public const int DefaultTopK = 40;
    public const float DefaultMinP = 0.05f;

    public static SamplingSettings From(ChatOptions? options, int defaultMaxOutputTokens)
    {
        var maxTokens = options?.MaxOutputTokens ?? defaultMaxOutputTokens;
        if (maxTokens <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxTokens, "MaxOutputTokens must be positive.");
        }

        return new SamplingSettings(
            Temperature: options?.Temperature ?? DefaultTemperature,
            TopP: options?.TopP ?? DefaultTopP,
            TopK: options?.TopK ?? DefaultTopK,
            MinP: options?.TopP is null ? DefaultMinP : 0f,
            Seed: SeedFor(options),
            RepetitionPenalty: (float)(options.GetRepetitionPenalty() ?? 1.0),
            FrequencyPenalty: Math.Clamp(options?.FrequencyPenalty ?? 0f, -2f, 2f),
            PresencePenalty: Math.Clamp(options?.PresencePenalty ?? 0f, -2f, 2f),
            MaxOutputTokens: maxTokens,
            StopSequences: options?.StopSequences?.Where(s => s.Length > 0).ToArray() ?? [],
            Grammar: GrammarFor(options));
    }

    /// <summary>
    /// A fixed seed reproduces an answer; the sample index is mixed in so that sample 2 of a prompt differs from
    /// sample 1 even when the caller keeps one seed for the whole run.
    /// </summary>
    private static uint SeedFor(ChatOptions? options)
    {
        if (options?.Seed is not { } seed)
        {
            return (uint)Random.Shared.Next();
        }

        unchecked
        {
            return (uint)seed ^ (uint)(seed >> 32) ^ ((uint)options.GetSampleIndex() * 0x9E3779B9u);
        }
    }

    private static string? GrammarFor(ChatOptions? options)
    {
        if (options.GetGrammar() is { } grammar)
        {
            return grammar;
        }

        if (options.GetChoices() is { Count: > 0 } choices)
        {
            return GbnfGrammars.Choices(choices);
        }

        return options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } => GbnfGrammars.FromJsonSchema(schema),
            ChatResponseFormatJson => GbnfGrammars.Json,
            _ => null,
        };
    }

    public DefaultSamplingPipeline CreatePipeline() => new()
    {
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        MinP = MinP,
        Seed = Seed,
        RepeatPenalty = RepetitionPenalty,
        FrequencyPenalty = FrequencyPenalty,
        PresencePenalty = PresencePenalty,
        Grammar = Grammar is null ? null : new Grammar(Grammar, "root"),
    };

    /// <summary>
    /// Cuts the text at the first stop sequence; true when one was found. Only the end is searched: the text before
    /// <paramref name="appendedFrom"/> held no stop sequence (it would have ended the answer), so a match must reach
    /// into what was just appended. Keeps the per-token check from rescanning the whole answer.
    /// </summary>
    public bool TrimAtStopSequence(StringBuilder text, int appendedFrom)
    {
        if (StopSequences.Count == 0)
        {
            return false;
        }

        var start = Math.Max(0, appendedFrom - (StopSequences.Max(s => s.Length) - 1));
        var tail = text.ToString(start, text.Length - start);
        var cut = -1;
        foreach (var stop in StopSequences)
        {
            var index = tail.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (cut < 0 || index < cut))
            {
                cut = index;
            }
        }

        if (cut < 0)
        {
            return false;
        }

        text.Length = start + cut;
        return true;
    }
}
