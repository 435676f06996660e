using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using LowResGen.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LowResGen.Tests;

/// <summary>What the fake server does with one request instead of answering normally.</summary>
public enum FakeFault
{
    None,

    /// <summary>HTTP 500 with an error body.</summary>
    ServerError,

    /// <summary>HTTP 429 with <c>Retry-After: RetryAfterSeconds</c>.</summary>
    RateLimited,

    /// <summary>Never answers (until the client gives up and closes the connection).</summary>
    Hang,

    /// <summary>HTTP 200 with a truncated JSON body.</summary>
    MalformedJson,

    /// <summary>The TCP connection is reset without any answer.</summary>
    ConnectionReset,

    /// <summary>HTTP 200, a well-formed completion whose message has <c>"content": null</c>.</summary>
    NullContent,

    /// <summary>HTTP 200 with <c>"choices": []</c>.</summary>
    NoChoices,

    /// <summary>HTTP 200, empty content and <c>finish_reason: content_filter</c>.</summary>
    ContentFilter,

    /// <summary>HTTP 401 whose body echoes the Authorization header (as careless servers do).</summary>
    Unauthorized,
}

/// <summary>One request the fake server received.</summary>
internal sealed record FakeRequest(int Number, string Path, string? Authorization, JsonObject Body)
{
    public IReadOnlyList<(string Role, string Content)> Messages =>
        Body["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToArray();

    public string LastUserMessage => Messages.Last(m => m.Role == "user").Content;

    /// <summary>The texts of an <c>/embeddings</c> request.</summary>
    public IReadOnlyList<string> Inputs => Body["input"]!.AsArray().Select(i => i!.GetValue<string>()).ToArray();
}

/// <summary>
/// A local OpenAI-compatible <c>/v1/chat/completions</c> and <c>/v1/embeddings</c> server on 127.0.0.1 (Kestrel, random port) for tests: a pluggable
/// responder, fault injection per request, a record of every request, and the most requests it ever had in flight at once.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private int _counter;
    private int _inFlight;
    private int _maxInFlight;

    private FakeOpenAiServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>e.g. http://127.0.0.1:41234/v1</summary>
    public Uri BaseUrl { get; }

    /// <summary>The answer text for a request; default echoes "answer: " + the last user message.</summary>
    public Func<FakeRequest, string> Responder { get; set; } = r => "answer: " + r.LastUserMessage;

    /// <summary>Which fault (if any) to inject for a request; called once per request.</summary>
    public Func<FakeRequest, FakeFault> Faults { get; set; } = _ => FakeFault.None;

    /// <summary>How long each normal answer takes.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    public int RetryAfterSeconds { get; set; }

    public IReadOnlyCollection<FakeRequest> Requests => _requests;

    public int RequestCount => Volatile.Read(ref _counter);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        FakeOpenAiServer? server = null;
        var (app, address) = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", context => server!.HandleAsync(context));
            app.MapPost("/v1/embeddings", context => server!.HandleAsync(context));
        });
        server = new FakeOpenAiServer(app, new Uri(address, "v1"));
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        UpdateMax(now);
        try
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!.AsObject();
            var request = new FakeRequest(Interlocked.Increment(ref _counter), context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault(), body);
            _requests.Enqueue(request);
            var fault = Faults(request);
            switch (fault)
            {
                case FakeFault.ServerError:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsync("{\"error\":{\"message\":\"internal error\"}}");
                    return;
                case FakeFault.RateLimited:
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await context.Response.WriteAsync("{\"error\":{\"message\":\"rate limited\"}}");
                    return;
                case FakeFault.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    return;
                case FakeFault.MalformedJson:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"tru");
                    return;
                case FakeFault.NullContent:
                case FakeFault.NoChoices:
                case FakeFault.ContentFilter:
                    context.Response.ContentType = "application/json";
                    var choices = fault == FakeFault.NoChoices ? "[]" : fault == FakeFault.NullContent
                        ? "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"stop\"}]"
                        : "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":\"content_filter\"}]";
                    await context.Response.WriteAsync($"{{\"id\":\"x\",\"choices\":{choices},\"usage\":{{\"prompt_tokens\":3,\"completion_tokens\":0}}}}");
                    return;
                case FakeFault.ConnectionReset:
                    context.Abort();
                    return;
                case FakeFault.Unauthorized:
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsync($"{{\"error\":{{\"message\":\"Incorrect API key provided: {request.Authorization}\"}}}}");
                    return;
            }

            if (ResponseDelay > TimeSpan.Zero)
            {
                await Task.Delay(ResponseDelay, context.RequestAborted);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(request.Path.EndsWith("/embeddings", StringComparison.Ordinal) ? EmbeddingAnswer(request) : Answer(request));
        }
        catch (OperationCanceledException)
        {
            // The client went away (timeout test); nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private string Answer(FakeRequest request)
    {
        var n = request.Body["n"]?.GetValue<int>() ?? 1;
        var text = Responder(request);
        var promptTokens = request.Messages.Sum(m => WordCount(m.Content));
        var completionTokens = WordCount(text) * n;
        var answer = new JsonObject
        {
            ["id"] = $"chatcmpl-{request.Number}",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = request.Body["model"]?.GetValue<string>(),
            ["choices"] = new JsonArray(Enumerable.Range(0, n).Select(i => (JsonNode)new JsonObject
            {
                ["index"] = i,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = n == 1 ? text : $"{text} #{i}" },
                ["finish_reason"] = request.Body["max_tokens"] is not null && completionTokens >= request.Body["max_tokens"]!.GetValue<int>() ? "length" : "stop",
            }).ToArray()),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
        return answer.ToJsonString();
    }

    /// <summary>The fake's embedding of a text: [length, first char, last char], answered in reverse order with indices.</summary>
    public static float[] EmbeddingOf(string text) => [text.Length, text[0], text[^1]];

    private static string EmbeddingAnswer(FakeRequest request)
    {
        var inputs = request.Inputs;
        var answer = new JsonObject
        {
            ["object"] = "list",
            ["model"] = request.Body["model"]?.GetValue<string>(),
            ["data"] = new JsonArray(Enumerable.Range(0, inputs.Count).Reverse().Select(i => (JsonNode)new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = new JsonArray(EmbeddingOf(inputs[i]).Select(v => (JsonNode)v).ToArray()),
            }).ToArray()),
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Sum(WordCount), ["total_tokens"] = inputs.Sum(WordCount) },
        };
        return answer.ToJsonString();
    }

    /// <summary>The fake's "tokenizer": one token per whitespace-separated word, so tests can predict usage exactly.</summary>
    public static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private void UpdateMax(int now)
    {
        var seen = Volatile.Read(ref _maxInFlight);
        while (now > seen)
        {
            var previous = Interlocked.CompareExchange(ref _maxInFlight, now, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
