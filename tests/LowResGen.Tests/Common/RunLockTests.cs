using LowResGen.Common;
using LowResGen.Tests.Data;

namespace LowResGen.Tests.Common;

/// <summary>The lock's <c>--wait</c> polling runs on a fake clock: no real second passes between polls.</summary>
public sealed class RunLockTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_held_lock_fails_at_once_naming_the_holder_without_wait()
    {
        var path = _temp.File("out", ".study.lock");
        using var held = await RunLock.AcquireAsync(path, wait: false, CancellationToken.None);
        var clock = new TestClock();

        var error = await Assert.ThrowsAsync<RunLockedException>(() => RunLock.AcquireAsync(path, wait: false, CancellationToken.None, clock));

        Assert.Equal(Environment.ProcessId, error.Holder?.Pid);
        Assert.Contains("--wait", error.Message);
        Assert.Empty(clock.Waits); // failing at once means not one poll
    }

    [Fact]
    public async Task With_wait_the_lock_is_polled_on_the_clock_and_taken_at_the_first_poll_after_release()
    {
        var path = _temp.File("out", ".study.lock");
        var held = await RunLock.AcquireAsync(path, wait: false, CancellationToken.None);
        var poll = TimeSpan.FromSeconds(5);
        var clock = new TestClock();

        var waiting = RunLock.AcquireAsync(path, wait: true, CancellationToken.None, clock, poll);
        Assert.Equal([poll], await clock.WaitsStartedAsync(1));
        clock.Advance(poll); // still held: it polls again
        Assert.Equal([poll, poll], await clock.WaitsStartedAsync(2));
        Assert.False(waiting.IsCompleted);

        held.Dispose();
        await clock.PassWaitAsync(waiting, poll, number: 2); // free, but taken only at the next poll

        using var taken = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(taken.TookOverFrom); // the first holder released cleanly: nobody to take over from
        Assert.Equal(2, clock.Waits.Count);
    }

    [Fact]
    public async Task Waiting_for_a_lock_ends_when_cancelled()
    {
        var path = _temp.File("out", ".study.lock");
        using var held = await RunLock.AcquireAsync(path, wait: true, CancellationToken.None);
        var clock = new TestClock();
        using var cancel = new CancellationTokenSource();

        var waiting = RunLock.AcquireAsync(path, wait: true, cancel.Token, clock, TimeSpan.FromSeconds(1));
        await clock.WaitsStartedAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
