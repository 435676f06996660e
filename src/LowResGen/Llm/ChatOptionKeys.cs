using Microsoft.Extensions.AI;

namespace LowResGen.Llm;

/// <summary>
/// Keys for the settings that <see cref="ChatOptions"/> has no property for. Backends and middleware read them from
/// <see cref="ChatOptions.AdditionalProperties"/>; unknown keys are ignored by backends that cannot honour them.
/// </summary>
public static class ChatOptionKeys
{
    /// <summary>Which sample of the same prompt this is (0, 1, 2...). Part of the cache key, so sample 2 is never sample 1 replayed.</summary>
    public const string SampleIndex = "lowresgen.sample_index";

    /// <summary>
    /// Which stream of samples a request belongs to within a run (e.g. "generate:target-demos:weather"). Part of the cache
    /// key beside <see cref="SampleIndex"/>: two strategies that happen to send the same prompt draw, and replay, their own answers.
    /// </summary>
    public const string SampleStream = "lowresgen.sample_stream";

    /// <summary>Repetition penalty (1.0 = none). Sent as <c>repetition_penalty</c> to vLLM-style servers.</summary>
    public const string RepetitionPenalty = "repetition_penalty";

    /// <summary>A GBNF grammar that constrains the output (embedded backend, llama.cpp server).</summary>
    public const string Grammar = "lowresgen.grammar";

    /// <summary>Restrict the answer to exactly one of these strings (vLLM guided_choice; a grammar elsewhere).</summary>
    public const string Choices = "lowresgen.choices";

    public static ChatOptions WithSampleIndex(this ChatOptions options, int index)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[SampleIndex] = index;
        return options;
    }

    /// <summary>Sample <paramref name="index"/> of the stream <paramref name="stream"/> (see <see cref="SampleStream"/>).</summary>
    public static ChatOptions WithSample(this ChatOptions options, string stream, int index)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[SampleStream] = stream;
        return options.WithSampleIndex(index);
    }

    public static string? GetSampleStream(this ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(SampleStream, out var v) ? v as string : null;

    public static int GetSampleIndex(this ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(SampleIndex, out var v) && v is not null
            ? Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    public static ChatOptions WithGrammar(this ChatOptions options, string gbnf)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[Grammar] = gbnf;
        return options;
    }

    public static string? GetGrammar(this ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(Grammar, out var v) ? v as string : null;

    public static ChatOptions WithRepetitionPenalty(this ChatOptions options, double penalty)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[RepetitionPenalty] = penalty;
        return options;
    }

    public static double? GetRepetitionPenalty(this ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(RepetitionPenalty, out var v) && v is not null
            ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public static ChatOptions WithChoices(this ChatOptions options, IReadOnlyList<string> choices)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[Choices] = choices.ToArray();
        return options;
    }

    public static IReadOnlyList<string>? GetChoices(this ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(Choices, out var v) ? v as IReadOnlyList<string> : null;
}
