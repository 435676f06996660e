namespace LowResGen.Llm.Middleware;

/// <summary>
/// A concurrency limit that moves: additive increase (+1 per "limit" successes) while all is well, multiplicative decrease
/// on 429s (halve) and when latency per output token rises well above the best seen (x0.9). At most one decrease per
/// recent request latency, so a burst of 429s from one overload halves once, not ten times. Waiters are served in order.
/// </summary>
internal sealed class AimdLimiter
{
    private const double LatencyBackoff = 0.9;
    private const double RateLimitBackoff = 0.5;
    private const double SmoothingWeight = 0.1;

    // The best latency drifts up slowly so the baseline follows workloads that change (longer prompts later in a run).
    private const double BaselineDrift = 1.002;

    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly double _min;
    private readonly double _max;
    private readonly double _latencyTolerance;
    private readonly TimeProvider _time;
    private double _limit;
    private int _inFlight;
    private int _peakInFlight;
    private double _baseline = double.PositiveInfinity;
    private double _smoothed = double.NaN;
    private double _recentLatencySeconds;
    private long _lastDecreaseTimestamp;

    public AimdLimiter(int initial, int min, int max, double latencyTolerance, TimeProvider? time = null)
    {
        if (min < 1 || initial < min || max < initial)
        {
            throw new ArgumentException($"Concurrency limits must satisfy 1 <= min ({min}) <= initial ({initial}) <= max ({max}).");
        }

        _limit = initial;
        _min = min;
        _max = max;
        _latencyTolerance = latencyTolerance;
        _time = time ?? TimeProvider.System;
    }

    public int CurrentLimit
    {
        get
        {
            lock (_gate)
            {
                return (int)_limit;
            }
        }
    }

    public int PeakInFlight
    {
        get
        {
            lock (_gate)
            {
                return _peakInFlight;
            }
        }
    }

    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _inFlight < (int)_limit)
            {
                Take();
                return;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            // A waiter cancelled before its grant is skipped by ReleaseSlot (TrySetResult fails), so no slot leaks.
            await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Ends one request. <paramref name="secondsPerToken"/> is its latency per output token, null when unknown.</summary>
    public void Release(AimdOutcome outcome, double latencySeconds = 0, double? secondsPerToken = null)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            switch (outcome)
            {
                case AimdOutcome.Success:
                    _recentLatencySeconds = latencySeconds;
                    if (secondsPerToken is { } perToken && perToken > 0)
                    {
                        _baseline = Math.Min(_baseline * BaselineDrift, perToken);
                        _smoothed = double.IsNaN(_smoothed) ? perToken : (SmoothingWeight * perToken) + ((1 - SmoothingWeight) * _smoothed);
                    }

                    if (_smoothed > _baseline * _latencyTolerance)
                    {
                        Decrease(LatencyBackoff, now);
                    }
                    else
                    {
                        _limit = Math.Min(_max, _limit + (1 / _limit));
                    }

                    break;
                case AimdOutcome.RateLimited:
                    Decrease(RateLimitBackoff, now);
                    break;
            }

            ReleaseSlot();
        }
    }

    private void Decrease(double factor, long now)
    {
        var window = TimeSpan.FromSeconds(Math.Max(_recentLatencySeconds, 0.05));
        if (_lastDecreaseTimestamp != 0 && _time.GetElapsedTime(_lastDecreaseTimestamp, now) < window)
        {
            return;
        }

        _lastDecreaseTimestamp = now;
        _limit = Math.Max(_min, _limit * factor);
    }

    private void Take()
    {
        _inFlight++;
        _peakInFlight = Math.Max(_peakInFlight, _inFlight);
    }

    private void ReleaseSlot()
    {
        _inFlight--;
        while (_inFlight < (int)_limit && _waiters.TryDequeue(out var next))
        {
            if (next.TrySetResult())
            {
                Take();
            }
        }
    }
}

internal enum AimdOutcome
{
    Success,
    RateLimited,

    /// <summary>Failures that say nothing about load (client errors, cancellation): the limit stays.</summary>
    Neutral,
}
