using LowResGen.Common;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Served;

/// <summary>
/// An <see cref="IChatClient"/> for any OpenAI-compatible <c>/chat/completions</c> endpoint (vLLM, Ollama, llama.cpp server,
/// TGI, OpenAI). A lean HttpClient implementation rather than the OpenAI SDK, so server-specific fields (repetition_penalty,
/// guided_choice, grammar...) pass through and every failure maps to one <see cref="LlmRequestException"/> with its kind,
/// status and endpoint. Requests are spread over the endpoints, least-loaded first, within each endpoint's in-flight limit.
/// Makes exactly one attempt per call: retries belong to the retry middleware.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly ServedModelOptions _options;
    private readonly ServedTransport _transport;
    private readonly ChatClientMetadata _metadata;

    /// <param name="options">Model, endpoints and the NAME of the API key's environment variable.</param>
    /// <param name="httpClient">Optional shared client (its Timeout is ignored; <see cref="ServedModelOptions.RequestTimeout"/> applies).</param>
    /// <param name="timeProvider">The clock of time limits and endpoint cool-downs; null: <see cref="TimeProvider.System"/>.</param>
    public OpenAiCompatibleChatClient(ServedModelOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        _transport = new ServedTransport(options, httpClient, timeProvider);
        _options = options;
        _metadata = new ChatClientMetadata("openai-compatible", options.Endpoints[0].BaseUrl, options.Model);
    }

    /// <summary>Load per endpoint (in flight, started, failed).</summary>
    public IReadOnlyList<EndpointLoad> EndpointLoads => _transport.Pool.Loads;

    /// <summary>Sum of the endpoints' in-flight limits.</summary>
    public int TotalMaxInFlight => _transport.Pool.TotalCapacity;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = ChatCompletionProtocol.WriteRequest(_options.Model, messages, options, _options.ServerKind);
        return _transport.PostAsync("chat/completions", body, static (payload, endpoint) =>
        {
            var chat = ChatCompletionProtocol.ParseResponse(payload);
            chat.Set(ResponseAnnotations.Endpoint, endpoint.DisplayName);
            return chat;
        }, cancellationToken);
    }

    /// <summary>Served models stream nothing useful for batch generation; the whole answer is returned as updates.</summary>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WholeAnswerStreaming.ReplayAsync(() => GetResponseAsync(messages, options, cancellationToken));

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        BackendServices.Resolve(this, _metadata, serviceType, serviceKey);

    public void Dispose() => _transport.Dispose();
}
