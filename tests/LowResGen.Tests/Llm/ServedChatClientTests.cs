using System.Text.Json;
using LowResGen.Llm;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class ServedChatClientTests
{
    private static OpenAiCompatibleChatClient Client(FakeOpenAiServer server, ServerKind kind = ServerKind.Generic, string? keyVariable = null, int maxInFlight = 8) =>
        new(new ServedModelOptions
        {
            Model = "org/model-7b",
            Endpoints = [new ServedEndpoint(server.BaseUrl, maxInFlight)],
            ApiKeyEnvironmentVariable = keyVariable,
            ServerKind = kind,
            RequestTimeout = TimeSpan.FromSeconds(5),
        });

    [Fact]
    public async Task Sends_sampling_options_and_server_specific_fields()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var (variable, key) = LlmTestKit.NewApiKey();
        using var client = Client(server, ServerKind.Vllm, variable);
        var options = new ChatOptions
        {
            Temperature = 0.7f,
            TopP = 0.9f,
            MaxOutputTokens = 128,
            Seed = 42,
            StopSequences = ["\n\n"],
            Instructions = "Be brief.",
        }.WithRepetitionPenalty(1.1).WithChoices(["positive", "negative"]).WithSampleIndex(3);
        options.AdditionalProperties!["min_p"] = 0.05;

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Classify this")], options);

        var request = Assert.Single(server.Requests);
        var body = JsonDocument.Parse(request.Body.ToJsonString()).RootElement;
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer " + key, request.Authorization);
        Assert.Equal("org/model-7b", body.GetProperty("model").GetString());
        Assert.Equal([("system", "Be brief."), ("user", "Classify this")], request.Messages);
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble());
        Assert.Equal(128, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(42, body.GetProperty("seed").GetInt64());
        Assert.Equal("\n\n", body.GetProperty("stop")[0].GetString());
        Assert.Equal(1.1, body.GetProperty("repetition_penalty").GetDouble());
        Assert.Equal(0.05, body.GetProperty("min_p").GetDouble());
        Assert.Equal(["positive", "negative"], body.GetProperty("guided_choice").EnumerateArray().Select(e => e.GetString()));
        Assert.False(body.TryGetProperty("grammar", out _)); // vLLM kind: no llama.cpp field
        Assert.False(body.TryGetProperty("lowresgen.sample_index", out _)); // internal keys are never sent
    }

    [Fact]
    public async Task Sends_json_schema_response_format_and_llama_cpp_grammar()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var client = Client(server, ServerKind.LlamaCpp);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"label":{"type":"string"}}}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "label_answer") }.WithChoices(["a \"b\"", "c"]);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")], options);

        var body = JsonDocument.Parse(Assert.Single(server.Requests).Body.ToJsonString()).RootElement;
        var format = body.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("label_answer", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.Equal("object", format.GetProperty("json_schema").GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("root ::= \"a \\\"b\\\"\" | \"c\"", body.GetProperty("grammar").GetString());
        Assert.False(body.TryGetProperty("guided_choice", out _));
    }

    [Fact]
    public async Task Parses_text_usage_finish_reason_and_several_choices()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = _ => "one two three";
        using var client = Client(server);

        var single = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "four words in prompt")], new ChatOptions { MaxOutputTokens = 3 });
        var several = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "p")], new ChatOptions { AdditionalProperties = new() { ["n"] = 3 } });

        Assert.Equal("one two three", single.Text);
        Assert.Equal(ChatFinishReason.Length, single.FinishReason);
        Assert.Equal(4, single.Usage!.InputTokenCount);
        Assert.Equal(3, single.Usage.OutputTokenCount);
        Assert.Equal("org/model-7b", single.ModelId);
        Assert.Equal("chatcmpl-1", single.ResponseId);
        Assert.Equal(["one two three #0", "one two three #1", "one two three #2"], several.Messages.Select(m => m.Text));
        Assert.Equal(ChatFinishReason.Stop, several.FinishReason);
    }

    [Theory]
    [InlineData(FakeFault.ServerError, LlmFailureKind.ServerError, 500)]
    [InlineData(FakeFault.RateLimited, LlmFailureKind.RateLimited, 429)]
    [InlineData(FakeFault.MalformedJson, LlmFailureKind.MalformedResponse, 200)]
    [InlineData(FakeFault.ConnectionReset, LlmFailureKind.Connection, 0)]
    public async Task Maps_each_fault_to_one_exception_naming_the_endpoint(FakeFault fault, LlmFailureKind kind, int status)
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = _ => fault;
        server.RetryAfterSeconds = 7;
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(status == 0 ? null : (System.Net.HttpStatusCode)status, error.StatusCode);
        Assert.Contains(server.BaseUrl.Authority, error.Message);
        Assert.True(error.IsTransient);
        Assert.Equal(fault == FakeFault.RateLimited ? TimeSpan.FromSeconds(7) : null, error.RetryAfter);
    }

    [Fact]
    public async Task A_hanging_server_times_out_as_a_transient_failure()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Faults = _ => FakeFault.Hang;
        using var client = new OpenAiCompatibleChatClient(new ServedModelOptions
        {
            Model = "m",
            Endpoints = [new ServedEndpoint(server.BaseUrl)],
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.Equal(LlmFailureKind.Timeout, error.Kind);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public void A_missing_key_variable_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new OpenAiCompatibleChatClient(new ServedModelOptions
        {
            Model = "m",
            Endpoints = [new ServedEndpoint(new Uri("http://127.0.0.1:9/v1"))],
            ApiKeyEnvironmentVariable = "LOWRESGEN_TEST_UNSET_VARIABLE",
        }));
        Assert.Contains("LOWRESGEN_TEST_UNSET_VARIABLE", error.Message);
    }
}
