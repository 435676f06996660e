using LowResGen.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace LowResGen.Llm.Middleware;

/// <summary>How the retry middleware waits and when it gives up.</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt (so up to MaxRetries + 1 attempts).</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Delay before the first retry; doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A server's Retry-After is honoured up to this long; beyond it we wait this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Retries of a connection refused before the server ever answered: a few quick ones for a local server that is
    /// still starting, then the request fails with "is the server running at …?" instead of backing off for minutes.
    /// </summary>
    public int RefusedRetries { get; init; } = 2;

    /// <summary>Delay before the first retry of a refused connection; doubles per retry, no jitter.</summary>
    public TimeSpan RefusedDelay { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Retries transient failures (timeouts, 429 honouring Retry-After, 5xx, broken connections, malformed answers) with
/// exponential backoff and jitter (Polly). A request that still fails is rethrown as an <see cref="LlmRequestException"/>
/// carrying the number of attempts; successful answers are annotated with <see cref="ResponseAnnotations.Attempts"/>.
/// Client errors (400, 401, 404) are not retried: they would fail again. Waits run on <c>timeProvider</c> (default
/// <see cref="TimeProvider.System"/>), so tests can check the exact waits on a fake clock.
/// </summary>
public sealed class RetryingChatClient : WholeAnswerDelegatingChatClient
{
    private readonly ResiliencePipeline _pipeline;
    private readonly string[] _secrets;
    private bool _answered;

    public RetryingChatClient(IChatClient innerClient, RetryOptions? options = null, ILogger? logger = null, IEnumerable<string>? secrets = null,
        TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        _secrets = secrets?.ToArray() ?? [];
        _pipeline = RetryPipeline.Create(options ?? new RetryOptions(), logger ?? NullLogger.Instance, _secrets, "LLM request", () => Volatile.Read(ref _answered),
            timeProvider);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var (response, attempts) = await RetryAsync(ct => base.GetResponseAsync(list, options, ct), cancellationToken).ConfigureAwait(false);
        response.Set(ResponseAnnotations.Attempts, attempts);
        return response;
    }

    /// <summary>Scoring gets the same policy; a local scorer rarely fails transiently, but a failure is reported the same way.</summary>
    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new RetryingScorer(this, inner);

    private async Task<(T Result, int Attempts)> RetryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            var result = await _pipeline.ExecuteAsync(
                async ct =>
                {
                    Interlocked.Increment(ref attempts);
                    return await call(ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _answered, true);
            return (result, attempts);
        }
        catch (LlmRequestException e)
        {
            e.Attempts = attempts;
            e.Unreachable = e.Refused && !Volatile.Read(ref _answered);
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            throw RetryPipeline.GaveUp(e, "LLM request", this.GetService<ChatClientMetadata>()?.DefaultModelId, attempts, _secrets);
        }
    }

    private sealed class RetryingScorer(RetryingChatClient owner, ICompletionScorer inner) : ICompletionScorer
    {
        public async Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
        {
            var (scores, attempts) = await owner.RetryAsync(ct => inner.ScoreAsync(messages, candidates, ct), cancellationToken).ConfigureAwait(false);
            var annotated = CompletionScores.Of(scores);
            annotated.Set(ResponseAnnotations.Attempts, attempts);
            return annotated;
        }
    }
}

/// <summary>The one retry policy of chat and embedding requests (Polly), and how a failure that outlived it is reported.</summary>
internal static class RetryPipeline
{
    /// <param name="answered">Whether the client had an answer before; null: refusals are retried like other connection errors.</param>
    /// <param name="timeProvider">The clock every backoff and Retry-After wait runs on; null: <see cref="TimeProvider.System"/>.</param>
    public static ResiliencePipeline Create(RetryOptions options, ILogger logger, string[] secrets, string what, Func<bool>? answered = null,
        TimeProvider? timeProvider = null) =>
        options.MaxRetries < 0 ? throw new ArgumentOutOfRangeException(nameof(options), options.MaxRetries, "retries must be 0 or more")
        : options.MaxRetries == 0 ? ResiliencePipeline.Empty // Polly needs at least one retry; none asked for means no retry layer
        : Refusals(new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }, options, logger, secrets, what, answered)
            .AddRetry(new RetryStrategyOptions
            {
                // A refused connection before any answer means nothing listens there: fail fast instead of backing off for minutes.
                ShouldHandle = new PredicateBuilder().Handle<LlmRequestException>(e => e.IsTransient && !(e.Refused && answered?.Invoke() == false))
                    .Handle<HttpRequestException>().Handle<TimeoutException>(),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is LlmRequestException { RetryAfter: { } wait } && wait > TimeSpan.Zero
                        ? (TimeSpan?)(wait < options.MaxRetryAfter ? wait : options.MaxRetryAfter)
                        : null),
                OnRetry = args =>
                {
                    logger.Retrying(what, args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds, SecretRedactor.Redact(args.Outcome.Exception?.Message ?? "unknown", secrets));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>The outer strategy: a short, bounded retry of connections refused before any answer (the inner one skips those).</summary>
    private static ResiliencePipelineBuilder Refusals(ResiliencePipelineBuilder builder, RetryOptions options, ILogger logger, string[] secrets,
        string what, Func<bool>? answered) =>
        answered is null || options.RefusedRetries <= 0 ? builder : builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<LlmRequestException>(e => e.Refused && !answered()),
            MaxRetryAttempts = options.RefusedRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            Delay = options.RefusedDelay,
            OnRetry = args =>
            {
                logger.Retrying(what, args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds, SecretRedactor.Redact(args.Outcome.Exception?.Message ?? "unknown", secrets));
                return ValueTask.CompletedTask;
            },
        });

    /// <summary>A connection failure or timeout that was not already an <see cref="LlmRequestException"/>, with the attempts made.</summary>
    public static LlmRequestException GaveUp(Exception e, string what, string? model, int attempts, string[] secrets)
    {
        model ??= "unknown model";
        return new LlmRequestException($"{what} to {model} failed: {SecretRedactor.Redact(e.Message, secrets)}",
            e is TimeoutException ? LlmFailureKind.Timeout : LlmFailureKind.Connection, model, innerException: e)
        { Attempts = attempts };
    }
}
