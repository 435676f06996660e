using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LowResGen.Tests.Llm;

public sealed class RoutingAndConcurrencyTests
{
    private static Task<ChatResponse[]> SendAll(IChatClient client, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => client.GetResponseAsync([new ChatMessage(ChatRole.User, $"p {i}")])));

    [Fact]
    public async Task The_in_flight_limit_is_never_exceeded()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseDelay = TimeSpan.FromMilliseconds(20);
        var factory = new LlmClientFactory(new LlmClientOptions { MaxInFlightPerEndpoint = 4 });
        using var client = factory.Create(LlmTestKit.Url(server));

        var answers = await SendAll(client, 60);

        Assert.Equal(60, answers.Length);
        Assert.Equal(4, server.MaxInFlight); // reached, never exceeded
        Assert.Equal(4, client.GetService<AdaptiveConcurrencyChatClient>()!.PeakInFlight);
    }

    [Fact]
    public async Task Requests_go_to_the_least_loaded_endpoint_within_each_limit()
    {
        await using var small = await FakeOpenAiServer.StartAsync();
        await using var large = await FakeOpenAiServer.StartAsync();
        small.ResponseDelay = large.ResponseDelay = TimeSpan.FromMilliseconds(30);
        using var backend = new OpenAiCompatibleChatClient(new ServedModelOptions
        {
            Model = "m",
            Endpoints = [new ServedEndpoint(small.BaseUrl, 2), new ServedEndpoint(large.BaseUrl, 6)],
        });

        // Four at once: least-loaded by fraction of the limit sends 1 to the small endpoint (1/2) and 3 to the large (3/6).
        await SendAll(backend, 4);
        Assert.Equal((1, 3), (small.RequestCount, large.RequestCount));

        await SendAll(backend, 80);

        Assert.Equal(2, small.MaxInFlight);
        Assert.Equal(6, large.MaxInFlight);
        Assert.Equal(84, small.RequestCount + large.RequestCount);
        Assert.InRange(large.RequestCount, 55, 70); // about 6/8 of the work
        Assert.All(backend.EndpointLoads, l => Assert.Equal(0, l.InFlight));
    }

    [Fact]
    public async Task A_dead_endpoint_is_avoided_and_its_work_retried_elsewhere()
    {
        await using var healthy = await FakeOpenAiServer.StartAsync();
        await using var broken = await FakeOpenAiServer.StartAsync();
        broken.Faults = _ => FakeFault.ConnectionReset;
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry });
        using var client = factory.Create($"{healthy.BaseUrl},{broken.BaseUrl}#m");

        // A burst is split between both before any failure is known; the failed half is retried on the healthy endpoint.
        var first = await SendAll(client, 40);
        var brokenAfterBurst = broken.RequestCount;
        var second = await SendAll(client, 40);

        Assert.All(first.Concat(second), a => Assert.StartsWith("answer: p ", a.Text));
        Assert.Equal(80, healthy.RequestCount);
        Assert.InRange(brokenAfterBurst, 1, 20);
        Assert.Equal(brokenAfterBurst, broken.RequestCount); // cooling down: the second batch avoided it entirely
    }

    [Fact]
    public async Task A_failed_endpoint_is_avoided_for_a_cool_down_that_doubles_per_consecutive_failure()
    {
        var clock = new FakeTimeProvider();
        var (a, b) = (new Uri("http://127.0.0.1:1/a/"), new Uri("http://127.0.0.1:1/b/"));
        using var pool = new EndpointPool([new ServedEndpoint(a, 1), new ServedEndpoint(b, 1)], TimeSpan.FromSeconds(1), clock);

        async Task<Uri> Next(bool fails)
        {
            var lease = await pool.AcquireAsync(CancellationToken.None);
            lease.Complete(endpointFailed: fails);
            return lease.Endpoint.BaseUrl;
        }

        Assert.Equal(a, await Next(fails: true)); // equal load: the first endpoint; it fails
        Assert.Equal(b, await Next(fails: false)); // cooling down for 1 s
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(b, await Next(fails: false));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(a, await Next(fails: true)); // back after 1 s, fails again: 2 s now
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(b, await Next(fails: false));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(a, await Next(fails: false)); // back after 2 s, and a success ends the cool-down
        Assert.Equal(a, await Next(fails: false));
        Assert.Equal((2, 0), (pool.Loads[0].Failures, pool.Loads[1].Failures));
    }

    [Fact]
    public async Task Adaptive_limit_halves_on_rate_limits_and_grows_back()
    {
        var clock = new FakeTimeProvider();
        var limiter = new AimdLimiter(initial: 16, min: 1, max: 16, latencyTolerance: 3, clock);
        await limiter.AcquireAsync(CancellationToken.None);
        limiter.Release(AimdOutcome.RateLimited, 0.01);
        Assert.Equal(8, limiter.CurrentLimit);

        // A second 429 from the same overload (within one latency window) does not halve again.
        await limiter.AcquireAsync(CancellationToken.None);
        limiter.Release(AimdOutcome.RateLimited, 0.01);
        Assert.Equal(8, limiter.CurrentLimit);

        for (var i = 0; i < 40; i++)
        {
            await limiter.AcquireAsync(CancellationToken.None);
            limiter.Release(AimdOutcome.Success, 0.01, 0.001);
        }

        Assert.InRange(limiter.CurrentLimit, 11, 14); // +1 per ~limit successes

        // Once a latency window has passed on the clock, a new overload halves again.
        var grown = limiter.CurrentLimit;
        clock.Advance(TimeSpan.FromSeconds(1));
        await limiter.AcquireAsync(CancellationToken.None);
        limiter.Release(AimdOutcome.RateLimited, 0.01);
        Assert.Equal(grown / 2, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Adaptive_limit_backs_off_when_latency_per_token_rises()
    {
        var clock = new FakeTimeProvider();
        var limiter = new AimdLimiter(initial: 20, min: 2, max: 20, latencyTolerance: 2, clock);
        for (var i = 0; i < 5; i++)
        {
            await limiter.AcquireAsync(CancellationToken.None);
            limiter.Release(AimdOutcome.Success, 0.001, 0.0001);
        }

        Assert.Equal(20, limiter.CurrentLimit);
        for (var i = 0; i < 40; i++)
        {
            await limiter.AcquireAsync(CancellationToken.None);
            limiter.Release(AimdOutcome.Success, 0.001, 0.01); // 100x slower per token
        }

        // The clock stood still: one latency window, so one decrease (x0.9), however many slow answers came in it.
        Assert.Equal(18, limiter.CurrentLimit);
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1)); // each slow answer now falls in a new window
            await limiter.AcquireAsync(CancellationToken.None);
            limiter.Release(AimdOutcome.Success, 0.001, 0.01);
        }

        Assert.Equal((int)(18 * Math.Pow(0.9, 10)), limiter.CurrentLimit);
    }

    [Fact]
    public async Task Waiters_get_slots_in_order_and_a_cancelled_waiter_leaks_nothing()
    {
        var limiter = new AimdLimiter(initial: 1, min: 1, max: 1, latencyTolerance: 3);
        await limiter.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(cancel.Token);
        var next = limiter.AcquireAsync(CancellationToken.None);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(next.IsCompleted);

        limiter.Release(AimdOutcome.Neutral);
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, limiter.PeakInFlight);
    }

    [Fact]
    public async Task Requests_per_minute_limit_holds_back_a_burst()
    {
        var inner = new ScriptedChatClient((_, _) => "ok");
        using var client = new AdaptiveConcurrencyChatClient(inner, new ConcurrencyOptions { InitialLimit = 10, RequestsPerMinute = 3 });

        var burst = Enumerable.Range(0, 4).Select(_ => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")])).ToArray();
        await Task.WhenAll(burst.Take(3));

        // The 4th is queued in the bucket (it refills one request per 20 s at 3/min), not merely slow.
        Assert.Equal(1, client.WaitingForRequestBudget);
        Assert.False(burst[3].IsCompleted);
        Assert.Equal(3, inner.CallCount);
    }
}
