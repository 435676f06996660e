using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;

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
    public async Task Adaptive_limit_halves_on_rate_limits_and_grows_back()
    {
        var limiter = new AimdLimiter(initial: 16, min: 1, max: 16, latencyTolerance: 3);
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
    }

    [Fact]
    public async Task Adaptive_limit_backs_off_when_latency_per_token_rises()
    {
        var limiter = new AimdLimiter(initial: 20, min: 2, max: 20, latencyTolerance: 2);
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

        Assert.InRange(limiter.CurrentLimit, 2, 18);
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
        await Task.Delay(100);

        Assert.False(burst[3].IsCompleted); // the 4th waits for the bucket to refill (20 s at 3/min)
        Assert.Equal(3, inner.CallCount);
    }
}
