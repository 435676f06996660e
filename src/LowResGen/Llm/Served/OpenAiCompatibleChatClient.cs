using System.Net.Http.Headers;
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
    private const int ErrorExcerptLength = 300;

    private readonly ServedModelOptions _options;
    private readonly EndpointPool _pool;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string? _apiKey;
    private readonly ChatClientMetadata _metadata;

    /// <param name="options">Model, endpoints and the NAME of the API key's environment variable.</param>
    /// <param name="httpClient">Optional shared client (its Timeout is ignored; <see cref="ServedModelOptions.RequestTimeout"/> applies).</param>
    public OpenAiCompatibleChatClient(ServedModelOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        _options = options;
        _pool = new EndpointPool(options.Endpoints, options.EndpointCooldown);
        if (options.ApiKeyEnvironmentVariable is { Length: > 0 } variable)
        {
            _apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(_apiKey))
            {
                throw new InvalidOperationException($"The API key for model '{options.Model}' is read from environment variable {variable}, which is not set.");
            }
        }

        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler
        {
            // Continuous-batching servers want many concurrent requests; the pool enforces the real limits.
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _metadata = new ChatClientMetadata("openai-compatible", options.Endpoints[0].BaseUrl, options.Model);
    }

    /// <summary>Load per endpoint (in flight, started, failed).</summary>
    public IReadOnlyList<EndpointLoad> EndpointLoads => _pool.Loads;

    /// <summary>Sum of the endpoints' in-flight limits.</summary>
    public int TotalMaxInFlight => _pool.TotalCapacity;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = ChatCompletionProtocol.WriteRequest(_options.Model, messages, options, _options.ServerKind);
        var lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var endpointFailed = false;
        try
        {
            return await SendAsync(lease.Endpoint, body, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmRequestException e) when (e.Kind is LlmFailureKind.Connection or LlmFailureKind.ServerError or LlmFailureKind.Timeout)
        {
            endpointFailed = true;
            throw;
        }
        finally
        {
            lease.Complete(endpointFailed);
        }
    }

    private async Task<ChatResponse> SendAsync(ServedEndpoint endpoint, byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, CompletionsUrl(endpoint.BaseUrl))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (_apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        var name = endpoint.DisplayName;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var payload = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw StatusError(response, payload, name);
            }

            try
            {
                var chat = ChatCompletionProtocol.ParseResponse(payload);
                chat.Set(ResponseAnnotations.Endpoint, name);
                return chat;
            }
            catch (FormatException e)
            {
                throw new LlmRequestException($"Malformed answer from {name}: {e.Message}.", LlmFailureKind.MalformedResponse, name, response.StatusCode, innerException: e);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LlmRequestException($"No complete answer from {name} within {_options.RequestTimeout.TotalSeconds:0.#} s.", LlmFailureKind.Timeout, name, innerException: e);
        }
        catch (HttpRequestException e)
        {
            // Messages of HttpRequestException name host and socket error only; the Authorization header never appears there.
            throw new LlmRequestException($"Connection to {name} failed: {Redact(e.Message)}", LlmFailureKind.Connection, name, innerException: e);
        }
        catch (IOException e)
        {
            throw new LlmRequestException($"Connection to {name} broke while reading the answer: {Redact(e.Message)}", LlmFailureKind.Connection, name, innerException: e);
        }
    }

    private LlmRequestException StatusError(HttpResponseMessage response, byte[] payload, string endpoint)
    {
        var status = (int)response.StatusCode;
        var kind = status switch
        {
            429 => LlmFailureKind.RateLimited,
            408 => LlmFailureKind.Timeout,
            >= 500 => LlmFailureKind.ServerError,
            _ => LlmFailureKind.ClientError,
        };
        var excerpt = System.Text.Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, ErrorExcerptLength)).ReplaceLineEndings(" ");
        return new LlmRequestException(
            $"HTTP {status} ({response.ReasonPhrase}) from {endpoint} for model '{_options.Model}': {Redact(excerpt)}",
            kind, endpoint, response.StatusCode, RetryAfter(response.Headers.RetryAfter));
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>Servers echo parts of requests in errors; make sure the key is not among them.</summary>
    private string Redact(string text) => SecretRedactor.Redact(text, _apiKey);

    private static Uri CompletionsUrl(Uri baseUrl)
    {
        var text = baseUrl.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + "chat/completions" : text + "/chat/completions");
    }

    /// <summary>Served models stream nothing useful for batch generation; the whole answer is returned as updates.</summary>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WholeAnswerStreaming.ReplayAsync(() => GetResponseAsync(messages, options, cancellationToken));

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
