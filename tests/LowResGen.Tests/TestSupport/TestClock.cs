using Microsoft.Extensions.Time.Testing;

namespace LowResGen.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also records the due time of every timer started on it (each Task.Delay, each
/// timed CancellationTokenSource), so a test can assert which waits the code asked for and then advance exactly past
/// them: no real time passes, and a loaded machine cannot make the test flaky.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _waits = [];
    private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every wait started so far, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_gate)
            {
                return [.. _waits];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _waits.Add(dueTime);
                _started.TrySetResult();
                _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return timer;
    }

    /// <summary>
    /// Asserts that the <paramref name="number"/>th wait matching <paramref name="which"/> is exactly <paramref name="expected"/>
    /// and that <paramref name="pending"/> is still unfinished 1 ms before that wait ends; then ends it.
    /// </summary>
    public async Task PassWaitAsync(Task pending, TimeSpan expected, int number = 1, Func<TimeSpan, bool>? which = null)
    {
        var waits = await WaitsStartedAsync(number, which);
        Assert.Equal(expected, waits[number - 1]);
        Advance(expected - TimeSpan.FromMilliseconds(1));
        Assert.False(pending.IsCompleted, $"finished before its {expected} wait was over");
        Advance(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>
    /// Returns the waits that match <paramref name="which"/> (all when null) once at least <paramref name="count"/> of them
    /// have started. The code under test runs on real threads, so this waits for it to get there; the 30 s bound only ends
    /// a test whose code never starts the wait.
    /// </summary>
    public async Task<TimeSpan[]> WaitsStartedAsync(int count, Func<TimeSpan, bool>? which = null)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Task started;
            lock (_gate)
            {
                var matching = _waits.Where(which ?? (_ => true)).ToArray();
                if (matching.Length >= count)
                {
                    return matching;
                }

                started = _started.Task;
            }

            try
            {
                await started.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} matching waits, saw only these: {string.Join(", ", Waits)}.");
            }
        }
    }
}
