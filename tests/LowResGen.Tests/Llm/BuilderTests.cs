using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class BuilderTests
{
    [Fact]
    public async Task The_builder_steps_wrap_any_backend_in_the_documented_order()
    {
        var calls = 0;
        var flaky = new ScriptedChatClient((messages, _) =>
            Interlocked.Increment(ref calls) % 2 == 1 ? throw new HttpRequestException("connection refused") : "ok " + messages[^1].Text);
        var usage = new UsageTracker();
        using var client = new ChatClientBuilder(flaky)
            .UseLowResGenUsage(usage, new ModelPrice(1, 1), "scripted")
            .UseLowResGenCache(LlmTestKit.TempPath("cache.sqlite"), "scripted")
            .UseLowResGenRetry(LlmTestKit.FastRetry)
            .UseLowResGenConcurrency(new ConcurrencyOptions { InitialLimit = 2 })
            .Build();

        var first = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "a")]);
        var again = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "a")]);

        Assert.Equal(("ok a", 2, "ok a", true), (first.Text, first.GetAttempts(), again.Text, again.IsCacheHit()));
        Assert.Equal(2, calls); // one failure, one success, then the cache
        var report = usage.Report().For("scripted")!;
        Assert.Equal((2, 1, 1, 1), (report.Requests, report.Succeeded, report.Cached, report.Retries));
        Assert.NotNull(client.GetService<AdaptiveConcurrencyChatClient>());
    }

    [Fact]
    public async Task Non_http_backends_that_keep_failing_are_reported_with_attempts()
    {
        var broken = new ScriptedChatClient((_, _) => throw new TimeoutException("model busy"));
        using var client = new ChatClientBuilder(broken).UseLowResGenRetry(LlmTestKit.FastRetry with { MaxRetries = 2 }).Build();

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal((LlmFailureKind.Timeout, 3), (error.Kind, error.Attempts));
        Assert.Equal(3, broken.CallCount);
        Assert.IsType<TimeoutException>(error.InnerException);
    }
}
