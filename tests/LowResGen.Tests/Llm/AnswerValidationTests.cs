using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

/// <summary>Issue 14, case 2 and 9: an HTTP 200 without usable text is a failed attempt, retried, never cached, counted as a failure.</summary>
public sealed class AnswerValidationTests
{
    [Theory]
    [InlineData(FakeFault.NullContent)]
    [InlineData(FakeFault.NoChoices)]
    [InlineData(FakeFault.ContentFilter)]
    public async Task An_answer_without_text_is_retried_never_cached_and_counted_as_a_failure(FakeFault fault)
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var broken = true;
        server.Faults = _ => Volatile.Read(ref broken) ? fault : FakeFault.None;
        var cache = LlmTestKit.TempPath("cache.db");
        try
        {
            var factory = new LlmClientFactory(new LlmClientOptions { CachePath = cache, Retry = LlmTestKit.FastRetry with { MaxRetries = 2 } });
            using (var client = factory.Create(LlmTestKit.Url(server)))
            {
                var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]));
                Assert.Equal(LlmFailureKind.InvalidAnswer, error.Kind);
                Assert.Equal(3, error.Attempts);
                Assert.Equal(3, server.RequestCount);
                var usage = Assert.Single(factory.Usage.Models);
                Assert.Equal((0, 0, 1, 2), (usage.Succeeded, usage.Cached, usage.Failed, usage.Retries));

                // The server is fixed: the same request reaches it (nothing empty was cached) and gets a real answer.
                Volatile.Write(ref broken, false);
                var answer = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);
                Assert.Equal("answer: hello", answer.Text);
                Assert.Equal(4, server.RequestCount);
            }

            using var reopened = new ResponseCacheChatClient(new ScriptedChatClient((_, _) => "never asked"), cache, "served:test-model");
            Assert.Equal(1, await reopened.CountAsync());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(cache)!, recursive: true);
        }
    }

    [Fact]
    public async Task Whitespace_only_content_from_any_backend_is_a_failed_attempt()
    {
        var calls = 0;
        var backend = new ScriptedChatClient((_, _) => Interlocked.Increment(ref calls) < 3 ? "  \n" : "real text");
        using var client = new ChatClientBuilder(backend).UseLowResGenRetry(LlmTestKit.FastRetry).UseLowResGenAnswerValidation().Build();

        var answer = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Equal("real text", answer.Text);
        Assert.Equal(3, answer.GetAttempts());
    }
}
