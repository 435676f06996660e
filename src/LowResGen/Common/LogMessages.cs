using Microsoft.Extensions.Logging;

namespace LowResGen.Common;

/// <summary>
/// Every log message the library writes, source-generated so that a disabled level costs no formatting or boxing.
/// Callers redact secrets before passing text in.
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Class {Label}: {Accepted} of {Quota} examples after {Attempts} attempts (attempt limit reached).")]
    public static partial void ClassFellShort(this ILogger logger, string label, int accepted, int quota, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Class {Label}: {Accepted}/{Quota} accepted after {Attempts} attempts.")]
    public static partial void ClassFinished(this ILogger logger, string label, int accepted, int quota, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model}: {Parameters:N0} parameters, context {Context} x {Sequences} sequences")]
    public static partial void ModelLoaded(this ILogger logger, string model, ulong parameters, int context, int sequences);

    [LoggerMessage(Level = LogLevel.Trace, Message = "LLM {Model} request (sample {Sample}): {Prompt}")]
    public static partial void LlmRequest(this ILogger logger, string model, int? sample, string prompt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "LLM {Model} answered in {Milliseconds} ms via {Endpoint}: {InputTokens}+{OutputTokens} tokens, finish {FinishReason}, attempts {Attempts}, cache hit {CacheHit}")]
    public static partial void LlmAnswered(this ILogger logger, string model, long milliseconds, string endpoint, long? inputTokens, long? outputTokens,
        string? finishReason, int attempts, bool cacheHit);

    [LoggerMessage(Level = LogLevel.Trace, Message = "LLM {Model} scoring request ({Candidates} candidates): {Prompt}")]
    public static partial void LlmScoreRequest(this ILogger logger, string model, int candidates, string prompt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "LLM {Model} scored {Candidates} candidates in {Milliseconds} ms: {InputTokens} tokens read, attempts {Attempts}, cache hit {CacheHit}")]
    public static partial void LlmScored(this ILogger logger, string model, long milliseconds, int candidates, long? inputTokens, int attempts, bool cacheHit);

    [LoggerMessage(Level = LogLevel.Trace, Message = "LLM {Model} answer: {Answer}")]
    public static partial void LlmAnswer(this ILogger logger, string model, string answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM {Model} request failed after {Milliseconds} ms: {Error}: {Message}")]
    public static partial void LlmFailed(this ILogger logger, string model, long milliseconds, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} attempt {Attempt} failed, retrying in {Delay} ms: {Reason}")]
    public static partial void Retrying(this ILogger logger, string what, int attempt, int delay, string reason);
}
