using Microsoft.Extensions.AI;

namespace LowResGen.Llm;

/// <summary>
/// Keys the backends and middleware put in <see cref="ChatResponse.AdditionalProperties"/> (and
/// <see cref="CompletionScores.AdditionalProperties"/>) so outer layers (usage accounting,
/// logging, callers) learn how an answer came about.
/// </summary>
public static class ResponseAnnotations
{
    /// <summary>True when the answer was replayed from the response cache.</summary>
    public const string CacheHit = "lowresgen.cache_hit";

    /// <summary>Attempts the retry middleware made (1 = no retry).</summary>
    public const string Attempts = "lowresgen.attempts";

    /// <summary>The endpoint that answered (served backend).</summary>
    public const string Endpoint = "lowresgen.endpoint";

    public static bool IsCacheHit(this ChatResponse response) =>
        response.AdditionalProperties?.TryGetValue(CacheHit, out var v) == true && v is true;

    public static int GetAttempts(this ChatResponse response) =>
        response.AdditionalProperties?.TryGetValue(Attempts, out var v) == true && v is int n ? n : 1;

    /// <summary>The endpoint that answered, or null (not a served answer).</summary>
    public static string? GetEndpoint(this ChatResponse response) =>
        response.AdditionalProperties?.TryGetValue(Endpoint, out var v) == true ? v as string : null;

    internal static void Set(this ChatResponse response, string key, object value)
    {
        response.AdditionalProperties ??= [];
        response.AdditionalProperties[key] = value;
    }

    /// <summary>True when the scores were replayed from the response cache.</summary>
    public static bool IsCacheHit(this CompletionScores scores) =>
        scores.AdditionalProperties?.TryGetValue(CacheHit, out var v) == true && v is true;

    public static int GetAttempts(this CompletionScores scores) =>
        scores.AdditionalProperties?.TryGetValue(Attempts, out var v) == true && v is int n ? n : 1;

    internal static void Set(this CompletionScores scores, string key, object value)
    {
        scores.AdditionalProperties ??= [];
        scores.AdditionalProperties[key] = value;
    }
}
