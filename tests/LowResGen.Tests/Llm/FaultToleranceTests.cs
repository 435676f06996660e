using System.Collections.Concurrent;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class FaultToleranceTests
{
    [Fact]
    public async Task A_batch_with_faults_of_five_kinds_gets_exactly_one_answer_per_request_and_exact_counters()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        // A hung answer needs the time limit to pass: An_attempt_that_hangs_times_out_on_the_clock_and_is_retried tests it on a
        // fake clock; here a real limit would also cut slow healthy answers on a loaded machine and blur the counts.
        var faults = new[] { FakeFault.ServerError, FakeFault.RateLimited, FakeFault.MalformedJson, FakeFault.ConnectionReset, FakeFault.NullContent };
        var attemptsPerPrompt = new ConcurrentDictionary<string, int>();
        var injected = 0;
        server.Faults = request =>
        {
            // Prompt i fails its first (i % 3) attempts with a fault chosen by i, then succeeds.
            var prompt = request.LastUserMessage;
            var i = int.Parse(prompt.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var attempt = attemptsPerPrompt.AddOrUpdate(prompt, 1, (_, n) => n + 1);
            if (attempt > i % 3)
            {
                return FakeFault.None;
            }

            Interlocked.Increment(ref injected);
            return faults[(i + attempt) % faults.Length];
        };
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry, MaxInFlightPerEndpoint = 16 });
        using var client = factory.Create(LlmTestKit.Url(server));

        var prompts = Enumerable.Range(0, 200).Select(i => $"prompt {i}").ToArray();
        var answers = await Task.WhenAll(prompts.Select(p => client.GetResponseAsync([new ChatMessage(ChatRole.User, p)])));

        Assert.Equal(prompts.Select(p => "answer: " + p), answers.Select(a => a.Text));
        var usage = Assert.Single(factory.Usage.Models);
        Assert.Equal(200, usage.Requests);
        Assert.Equal(200, usage.Succeeded);
        Assert.Equal(0, usage.Failed + usage.Cached + usage.Cancelled + usage.InFlight);
        // Every injected fault costs exactly one retry, and each attempt is one request to the server.
        Assert.Equal(injected, usage.Retries);
        Assert.Equal(200 + injected, server.RequestCount);
        Assert.True(injected > 100, $"only {injected} faults were injected");
        Assert.Equal(prompts.Sum(p => FakeOpenAiServer.WordCount(p)), usage.InputTokens);
        Assert.Equal(answers.Sum(a => FakeOpenAiServer.WordCount(a.Text)), usage.OutputTokens);
    }

    [Fact]
    public async Task A_request_that_keeps_failing_is_reported_with_status_endpoint_and_attempts()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = r => r.LastUserMessage == "doomed" ? FakeFault.ServerError : FakeFault.None;
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry with { MaxRetries = 3 } });
        using var client = factory.Create(LlmTestKit.Url(server));

        var ok = client.GetResponseAsync([new ChatMessage(ChatRole.User, "fine")]);
        var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "doomed")]));
        await ok;

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(4, error.Attempts);
        Assert.Contains("HTTP 500", error.Message);
        Assert.Contains(server.BaseUrl.Authority, error.Message);
        Assert.Contains("4 attempts", error.Message);
        var usage = factory.Usage;
        Assert.Equal((2, 1, 1, 3), (usage.Requests, usage.Succeeded, usage.Failed, usage.Models[0].Retries));
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = _ => FakeFault.Unauthorized;
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry });
        using var client = factory.Create(LlmTestKit.Url(server));

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal(LlmFailureKind.ClientError, error.Kind);
        Assert.Equal(1, server.RequestCount);
    }

    /// <summary>Waits other than an attempt's time limit (every attempt starts one on the clock too).</summary>
    private static bool NotTheTimeLimit(TimeSpan wait) => wait != ServedModelOptions.DefaultRequestTimeout;

    private static (LlmClientFactory Factory, TestClock Clock) OnTestClock(RetryOptions retry)
    {
        var clock = new TestClock();
        return (new LlmClientFactory(new LlmClientOptions { Retry = retry, TimeProvider = clock }), clock);
    }

    [Fact]
    public async Task Retry_after_from_a_429_is_waited_exactly_on_the_clock()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.RetryAfterSeconds = 3;
        server.Faults = r => r.Number == 1 ? FakeFault.RateLimited : FakeFault.None;
        var (factory, clock) = OnTestClock(LlmTestKit.FastRetry);
        using var client = factory.Create(LlmTestKit.Url(server));

        var answer = client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        // Backoff alone would wait at most 50 ms; the server asked for 3 s.
        await clock.PassWaitAsync(answer, TimeSpan.FromSeconds(3), which: NotTheTimeLimit);
        var response = await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("answer: x", response.Text);
        Assert.Equal(2, response.GetAttempts());
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task A_retry_after_beyond_the_cap_waits_the_cap()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.RetryAfterSeconds = 600;
        server.Faults = r => r.Number == 1 ? FakeFault.RateLimited : FakeFault.None;
        var (factory, clock) = OnTestClock(LlmTestKit.FastRetry with { MaxRetryAfter = TimeSpan.FromSeconds(90) });
        using var client = factory.Create(LlmTestKit.Url(server));

        var answer = client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        await clock.PassWaitAsync(answer, TimeSpan.FromSeconds(90), which: NotTheTimeLimit);
        Assert.Equal(2, (await answer.WaitAsync(TimeSpan.FromSeconds(30))).GetAttempts());
    }

    [Fact]
    public async Task Backoff_waits_run_on_the_clock_with_jitter_and_never_exceed_the_maximum()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = r => r.Number <= 4 ? FakeFault.ServerError : FakeFault.None;
        var (factory, clock) = OnTestClock(new RetryOptions { MaxRetries = 6, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(4) });
        using var client = factory.Create(LlmTestKit.Url(server));

        var answer = client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        for (var retry = 1; retry <= 4; retry++)
        {
            var waits = await clock.WaitsStartedAsync(retry, NotTheTimeLimit);
            Assert.Equal(retry, server.RequestCount); // the next attempt waits for the clock
            Assert.False(answer.IsCompleted);
            clock.Advance(waits[^1]);
        }

        Assert.Equal(5, (await answer.WaitAsync(TimeSpan.FromSeconds(30))).GetAttempts());
        var backoff = clock.Waits.Where(NotTheTimeLimit).ToArray();
        Assert.Equal(4, backoff.Length);
        Assert.All(backoff, w => Assert.InRange(w, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(4)));
        Assert.True(backoff.Distinct().Count() > 1, $"no jitter: {string.Join(", ", backoff)}");
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_on_the_clock_and_is_retried()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Faults = r =>
        {
            if (r.Number > 1)
            {
                return FakeFault.None;
            }

            hanging.TrySetResult();
            return FakeFault.Hang;
        };
        var clock = new TestClock();
        var limit = TimeSpan.FromSeconds(10);
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry, RequestTimeout = limit, TimeProvider = clock });
        using var client = factory.Create(LlmTestKit.Url(server));

        var answer = client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        await hanging.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the server holds the request: only now may the clock move
        await clock.PassWaitAsync(answer, limit, which: w => w == limit); // the hung attempt hits its limit; the retry backs off on the clock
        var backoff = await clock.WaitsStartedAsync(1, w => w != limit);
        clock.Advance(backoff[0]);

        var response = await answer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("answer: x", response.Text);
        Assert.Equal(2, response.GetAttempts());
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(1, factory.Usage.Models[0].Retries);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_after_250_and_500_ms_on_the_clock_then_reported_unreachable()
    {
        var (factory, clock) = OnTestClock(LlmTestKit.FastRetry);
        using var client = factory.Create($"http://127.0.0.1:{LowResGen.TestSupport.LoopbackServer.ClosedPort()}/v1#m");

        var answer = client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        var first = await clock.WaitsStartedAsync(1, NotTheTimeLimit);
        clock.Advance(first[0]);
        var both = await clock.WaitsStartedAsync(2, NotTheTimeLimit);
        clock.Advance(both[1]);
        var error = await Assert.ThrowsAsync<LlmRequestException>(() => answer.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500)], both);
        Assert.True(error.Unreachable);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(2, clock.Waits.Count(NotTheTimeLimit)); // no long backoff after the quick retries
    }
}
