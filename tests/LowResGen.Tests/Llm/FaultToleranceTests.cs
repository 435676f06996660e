using System.Collections.Concurrent;
using System.Diagnostics;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class FaultToleranceTests
{
    [Fact]
    public async Task A_batch_with_every_fault_injected_gets_exactly_one_answer_per_request_and_exact_counters()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var faults = new[] { FakeFault.ServerError, FakeFault.RateLimited, FakeFault.MalformedJson, FakeFault.ConnectionReset, FakeFault.Hang };
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
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry, MaxInFlightPerEndpoint = 16, RequestTimeout = TimeSpan.FromMilliseconds(1000) });
        using var client = factory.Create(LlmTestKit.Url(server));

        var prompts = Enumerable.Range(0, 200).Select(i => $"prompt {i}").ToArray();
        var answers = await Task.WhenAll(prompts.Select(p => client.GetResponseAsync([new ChatMessage(ChatRole.User, p)])));

        Assert.Equal(prompts.Select(p => "answer: " + p), answers.Select(a => a.Text));
        var usage = Assert.Single(factory.Usage.Models);
        Assert.Equal(200, usage.Requests);
        Assert.Equal(200, usage.Succeeded);
        Assert.Equal(0, usage.Failed + usage.Cached + usage.Cancelled + usage.InFlight);
        // Every injected fault costs one retry; on a loaded machine a slow healthy answer can also hit the 1 s
        // timeout and be retried, so the exact invariant is the server's count: one request per attempt.
        Assert.InRange(usage.Retries, injected, injected + 10);
        Assert.Equal(200 + usage.Retries, server.RequestCount);
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

    [Fact]
    public async Task Retry_after_from_a_429_is_honoured()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.RetryAfterSeconds = 1;
        server.Faults = r => r.Number == 1 ? FakeFault.RateLimited : FakeFault.None;
        var factory = new LlmClientFactory(new LlmClientOptions { Retry = LlmTestKit.FastRetry });
        using var client = factory.Create(LlmTestKit.Url(server));

        var clock = Stopwatch.StartNew();
        var answer = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        // Backoff alone would wait ~5 ms; the server asked for 1 s.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.ElapsedMilliseconds} ms");
        Assert.Equal("answer: x", answer.Text);
        Assert.Equal(2, answer.GetAttempts());
    }
}
