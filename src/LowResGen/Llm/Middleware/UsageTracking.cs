using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>Price of a model in currency units per 1,000 tokens.</summary>
public sealed record ModelPrice(decimal PerThousandInputTokens, decimal PerThousandOutputTokens)
{
    public decimal Cost(long inputTokens, long outputTokens) =>
        ((inputTokens * PerThousandInputTokens) + (outputTokens * PerThousandOutputTokens)) / 1000m;
}

/// <summary>
/// What one model did during a run. Every request ends in exactly one of Succeeded (answered by the LLM), Cached (replayed
/// from the cache), Failed or Cancelled, so <c>Requests == Succeeded + Cached + Failed + Cancelled + InFlight</c> always.
/// Tokens, latency and cost count LLM answers only (cached answers cost nothing). A log-probability scoring is a request
/// too: its input tokens are the tokens the backend read (embedded: prompt plus candidates), it writes no output tokens.
/// </summary>
public sealed record ModelUsage(
    string Model,
    long Requests,
    long Succeeded,
    long Cached,
    long Failed,
    long Cancelled,
    long InFlight,
    long Retries,
    long InputTokens,
    long OutputTokens,
    TimeSpan TotalLatency,
    TimeSpan MaxLatency,
    decimal? Cost)
{
    /// <summary>Mean latency of LLM answers (retries and queueing included).</summary>
    public TimeSpan MeanLatency => Succeeded == 0 ? TimeSpan.Zero : TotalLatency / Succeeded;
}

/// <summary>Usage per model after (or during) a run.</summary>
public sealed record UsageReport(IReadOnlyList<ModelUsage> Models)
{
    public long Requests => Models.Sum(m => m.Requests);

    public long Succeeded => Models.Sum(m => m.Succeeded);

    public long Cached => Models.Sum(m => m.Cached);

    public long Failed => Models.Sum(m => m.Failed);

    public decimal? Cost => Models.Any(m => m.Cost is not null) ? Models.Sum(m => m.Cost ?? 0m) : null;

    public ModelUsage? For(string model) => Models.FirstOrDefault(m => m.Model == model);
}

/// <summary>
/// Thread-safe usage counters for any number of models; share one across all clients of a run and read <see cref="Report"/>.
/// </summary>
public sealed class UsageTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Counters> _models = new(StringComparer.Ordinal);

    public UsageReport Report()
    {
        lock (_gate)
        {
            return new UsageReport(_models.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Snapshot(p.Key)).ToArray());
        }
    }

    internal void Started(string model, ModelPrice? price)
    {
        lock (_gate)
        {
            if (!_models.TryGetValue(model, out var counters))
            {
                _models[model] = counters = new Counters(price);
            }

            counters.Requests++;
            counters.InFlight++;
        }
    }

    internal void Ended(string model, Action<Counters> outcome)
    {
        lock (_gate)
        {
            var counters = _models[model];
            counters.InFlight--;
            outcome(counters);
        }
    }

    internal sealed class Counters(ModelPrice? price)
    {
        public long Requests;
        public long Succeeded;
        public long Cached;
        public long Failed;
        public long Cancelled;
        public long InFlight;
        public long Retries;
        public long InputTokens;
        public long OutputTokens;
        public TimeSpan TotalLatency;
        public TimeSpan MaxLatency;

        public ModelUsage Snapshot(string model) => new(model, Requests, Succeeded, Cached, Failed, Cancelled, InFlight, Retries,
            InputTokens, OutputTokens, TotalLatency, MaxLatency, price?.Cost(InputTokens, OutputTokens));
    }
}

/// <summary>Counts every request that passes through into a <see cref="UsageTracker"/>. Place it outside the cache, so hits are seen.</summary>
public sealed class UsageTrackingChatClient : WholeAnswerDelegatingChatClient
{
    private readonly UsageTracker _tracker;
    private readonly ModelPrice? _price;
    private readonly string _model;

    public UsageTrackingChatClient(IChatClient innerClient, UsageTracker tracker, ModelPrice? price = null, string? model = null)
        : base(innerClient)
    {
        _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
        _price = price;
        _model = model ?? innerClient.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        TrackAsync(ct => base.GetResponseAsync(messages, options, ct),
            response => new Outcome(response.IsCacheHit(), response.GetAttempts(), response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0),
            cancellationToken);

    /// <summary>A scoring call is a request like an answer: counted once, cached or not, with the tokens it read.</summary>
    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new TrackingScorer(this, inner, InnerClient.GetService<ITokenCounter>());

    private async Task<T> TrackAsync<T>(Func<CancellationToken, Task<T>> call, Func<T, Outcome> outcomeOf, CancellationToken cancellationToken)
    {
        _tracker.Started(_model, _price);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(started);
            var outcome = outcomeOf(result);
            _tracker.Ended(_model, c =>
            {
                if (outcome.Cached)
                {
                    c.Cached++;
                    return;
                }

                c.Succeeded++;
                c.Retries += outcome.Attempts - 1;
                c.InputTokens += outcome.InputTokens;
                c.OutputTokens += outcome.OutputTokens;
                c.TotalLatency += latency;
                c.MaxLatency = latency > c.MaxLatency ? latency : c.MaxLatency;
            });
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _tracker.Ended(_model, c => c.Cancelled++);
            throw;
        }
        catch (Exception e)
        {
            _tracker.Ended(_model, c =>
            {
                c.Failed++;
                c.Retries += e is LlmRequestException failure ? failure.Attempts - 1 : 0;
            });
            throw;
        }
    }

    private readonly record struct Outcome(bool Cached, int Attempts, long InputTokens, long OutputTokens);

    private sealed class TrackingScorer(UsageTrackingChatClient owner, ICompletionScorer inner, ITokenCounter? counter) : ICompletionScorer
    {
        public Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken) =>
            owner.TrackAsync(ct => inner.ScoreAsync(messages, candidates, ct),
                scores => scores is CompletionScores { } annotated && annotated.IsCacheHit()
                    ? new Outcome(true, 1, 0, 0)
                    : new Outcome(false, (scores as CompletionScores)?.GetAttempts() ?? 1, ScoringUsage.InputTokens(scores, messages, counter), 0),
                cancellationToken);
    }
}
