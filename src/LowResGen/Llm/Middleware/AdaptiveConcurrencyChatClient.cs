using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>Limits on how hard one model is driven.</summary>
public sealed record ConcurrencyOptions
{
    /// <summary>Requests in flight at the start (usually the sum of the endpoints' max_in_flight).</summary>
    public required int InitialLimit { get; init; }

    public int MinLimit { get; init; } = 1;

    /// <summary>Upper bound for the additive increase; defaults to <see cref="InitialLimit"/>.</summary>
    public int? MaxLimit { get; init; }

    /// <summary>Back off when smoothed latency per output token exceeds this multiple of the best seen.</summary>
    public double LatencyTolerance { get; init; } = 4.0;

    /// <summary>Requests per minute (hosted APIs), or null for no limit.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Tokens (prompt estimate + max output) per minute, or null for no limit.</summary>
    public int? TokensPerMinute { get; init; }
}

/// <summary>
/// Keeps the number of requests in flight at an adaptive limit (AIMD: additive increase, multiplicative decrease on 429s and
/// rising latency) and optionally under requests-per-minute and tokens-per-minute budgets. Sits below the retry middleware so
/// a request waiting out its backoff does not hold a slot.
/// </summary>
public sealed class AdaptiveConcurrencyChatClient : WholeAnswerDelegatingChatClient
{
    private readonly AimdLimiter _limiter;
    private readonly RateLimiter? _requestRate;
    private readonly RateLimiter? _tokenRate;
    private readonly int _tokensPerMinute;
    private readonly ITokenCounter? _tokenCounter;

    /// <param name="timeProvider">The clock of the one-decrease-per-latency-window rule; null: <see cref="TimeProvider.System"/>.
    /// The per-minute budgets refill on real time: <see cref="TokenBucketRateLimiter"/> takes no clock.</param>
    public AdaptiveConcurrencyChatClient(IChatClient innerClient, ConcurrencyOptions options, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limiter = new AimdLimiter(options.InitialLimit, options.MinLimit, options.MaxLimit ?? options.InitialLimit, options.LatencyTolerance, timeProvider);
        _requestRate = options.RequestsPerMinute is { } rpm ? PerMinute(rpm) : null;
        _tokensPerMinute = options.TokensPerMinute ?? 0;
        _tokenRate = options.TokensPerMinute is { } tpm ? PerMinute(tpm) : null;
        _tokenCounter = innerClient.GetService<ITokenCounter>(); // looked up once, not per request
    }

    /// <summary>The limit now (moves with load).</summary>
    public int CurrentLimit => _limiter.CurrentLimit;

    /// <summary>Most requests ever in flight at once through this client.</summary>
    public int PeakInFlight => _limiter.PeakInFlight;

    /// <summary>Requests waiting for the requests-per-minute budget now (0 without one).</summary>
    public long WaitingForRequestBudget => _requestRate?.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>A bucket that holds one minute's budget and refills it evenly every second.</summary>
    private static TokenBucketRateLimiter PerMinute(int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / perMinute),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        return ThrottledAsync(() => EstimateTokens(list, options?.MaxOutputTokens ?? 256), ct => base.GetResponseAsync(list, options, ct),
            response => response.Usage?.OutputTokenCount, cancellationToken);
    }

    /// <summary>A scoring call holds a slot and spends its prompt from the budgets like an answer that writes nothing.</summary>
    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new ThrottledScorer(this, inner);

    /// <param name="estimatedTokens">Tokens the request spends from the token budget (asked only when there is one).</param>
    /// <param name="outputTokensOf">Tokens the result wrote, for the latency-per-token signal (null: no signal).</param>
    private async Task<T> ThrottledAsync<T>(Func<int> estimatedTokens, Func<CancellationToken, Task<T>> call, Func<T, long?> outputTokensOf,
        CancellationToken cancellationToken)
    {
        using var requestPermit = _requestRate is null ? null : await AcquireAsync(_requestRate, 1, cancellationToken).ConfigureAwait(false);
        using var tokenPermit = _tokenRate is null ? null
            : await AcquireAsync(_tokenRate, Math.Min(_tokensPerMinute, estimatedTokens()), cancellationToken).ConfigureAwait(false);

        await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var outcome = AimdOutcome.Neutral;
        double? perToken = null;
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            outcome = AimdOutcome.Success;
            if (outputTokensOf(result) is > 0 and var tokens)
            {
                perToken = Stopwatch.GetElapsedTime(started).TotalSeconds / tokens;
            }

            return result;
        }
        catch (LlmRequestException e) when (e.Kind == LlmFailureKind.RateLimited)
        {
            outcome = AimdOutcome.RateLimited;
            throw;
        }
        finally
        {
            _limiter.Release(outcome, Stopwatch.GetElapsedTime(started).TotalSeconds, perToken);
        }
    }

    private sealed class ThrottledScorer(AdaptiveConcurrencyChatClient owner, ICompletionScorer inner) : ICompletionScorer
    {
        public Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken) =>
            owner.ThrottledAsync(() => owner.EstimateTokens(messages, 0), ct => inner.ScoreAsync(messages, candidates, ct), _ => null, cancellationToken);
    }

    private static async Task<RateLimitLease> AcquireAsync(RateLimiter limiter, int permits, CancellationToken cancellationToken)
    {
        var lease = await limiter.AcquireAsync(Math.Max(1, permits), cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException("The rate limiter refused a request it should have queued.");
        }

        return lease;
    }

    /// <summary>Prompt tokens (the model's own count where the backend offers one, else ~4 characters a token) plus the output budget.</summary>
    private int EstimateTokens(IReadOnlyList<ChatMessage> messages, int outputBudget)
    {
        var prompt = _tokenCounter is { } counter
            ? counter.CountChatTokens(messages)
            : messages.Sum(m => m.Text.Length) / 4;
        return prompt + outputBudget;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _requestRate?.Dispose();
            _tokenRate?.Dispose();
        }

        base.Dispose(disposing);
    }
}
