using LowResGen.Llm.Middleware;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Llm;

/// <summary>
/// The LowResGen middleware as <see cref="ChatClientBuilder"/> steps. The first step added is the outermost;
/// the order <see cref="LlmClientFactory"/> uses (and recommends) is logging → usage → cache → retry → answer validation → concurrency → backend.
/// Each step also wraps the backend's <see cref="ICompletionScorer"/>, so log-probability scoring passes the same layers.
/// </summary>
public static class LowResGenChatClientBuilderExtensions
{
    /// <summary>Retries transient failures with exponential backoff and jitter, honouring Retry-After; waits run on <paramref name="timeProvider"/>.</summary>
    public static ChatClientBuilder UseLowResGenRetry(this ChatClientBuilder builder, RetryOptions? options = null, ILogger? logger = null, IEnumerable<string>? secrets = null,
        TimeProvider? timeProvider = null) =>
        builder.Use(inner => new RetryingChatClient(inner, options, logger, secrets, timeProvider));

    /// <summary>Null or empty content, no choices and content-filter stops become failed (retryable) attempts.</summary>
    public static ChatClientBuilder UseLowResGenAnswerValidation(this ChatClientBuilder builder) =>
        builder.Use(inner => new AnswerValidatingChatClient(inner));

    /// <summary>Adaptive (AIMD) in-flight limit plus optional requests/tokens-per-minute budgets.</summary>
    public static ChatClientBuilder UseLowResGenConcurrency(this ChatClientBuilder builder, ConcurrencyOptions options, TimeProvider? timeProvider = null) =>
        builder.Use(inner => new AdaptiveConcurrencyChatClient(inner, options, timeProvider));

    /// <summary>Persistent SQLite response cache keyed by model identity, messages, options and sample index.</summary>
    public static ChatClientBuilder UseLowResGenCache(this ChatClientBuilder builder, string databasePath, string? modelIdentity = null) =>
        builder.Use(inner => new ResponseCacheChatClient(inner, databasePath, modelIdentity));

    /// <summary>Counts requests, outcomes, tokens, latency, retries and cost into <paramref name="tracker"/>.</summary>
    public static ChatClientBuilder UseLowResGenUsage(this ChatClientBuilder builder, UsageTracker tracker, ModelPrice? price = null, string? model = null) =>
        builder.Use(inner => new UsageTrackingChatClient(inner, tracker, price, model));

    /// <summary>Logs outcomes with API keys and key-shaped strings removed.</summary>
    public static ChatClientBuilder UseLowResGenLogging(this ChatClientBuilder builder, ILogger logger, IEnumerable<string>? secrets = null) =>
        builder.Use(inner => new RedactingLoggingChatClient(inner, logger, secrets));
}
