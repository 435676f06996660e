using System.Net.Http.Headers;

namespace LowResGen.Llm.Served;

/// <summary>
/// The HTTP side of every OpenAI-compatible client (chat and embeddings): the API key from its environment variable,
/// requests spread over the endpoints least-loaded first within each one's in-flight limit, the time limit of one attempt,
/// and every failure mapped to one <see cref="LlmRequestException"/> with its kind, status, Retry-After and endpoint,
/// the key redacted from anything a server echoes. Exactly one attempt per call: retries belong to the middleware.
/// </summary>
internal sealed class ServedTransport : IDisposable
{
    private const int ErrorExcerptLength = 300;

    private readonly ServedModelOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;

    /// <param name="timeProvider">The clock of the attempt's time limit, the endpoints' cool-down and Retry-After dates.</param>
    public ServedTransport(ServedModelOptions options, HttpClient? httpClient, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        Pool = new EndpointPool(options.Endpoints, options.EndpointCooldown, _time);
        if (options.ApiKeyEnvironmentVariable is { Length: > 0 } variable)
        {
            ApiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(ApiKey))
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
    }

    public EndpointPool Pool { get; }

    /// <summary>The key sent as a bearer token (null: none); only ever used for the header and for redaction.</summary>
    public string? ApiKey { get; }

    /// <summary>POSTs <paramref name="body"/> (JSON) to <paramref name="path"/> under an endpoint's base URL and parses the answer;
    /// a <see cref="FormatException"/> from <paramref name="parse"/> becomes a malformed-response failure.</summary>
    public async Task<T> PostAsync<T>(string path, byte[] body, Func<byte[], ServedEndpoint, T> parse, CancellationToken cancellationToken)
    {
        var lease = await Pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var endpointFailed = false;
        try
        {
            return await SendAsync(lease.Endpoint, path, body, parse, cancellationToken).ConfigureAwait(false);
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

    private async Task<T> SendAsync<T>(ServedEndpoint endpoint, string path, byte[] body, Func<byte[], ServedEndpoint, T> parse, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(endpoint.BaseUrl, path))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (ApiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
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
                return parse(payload, endpoint);
            }
            catch (FormatException e)
            {
                throw new LlmRequestException($"Malformed answer from {name}: {Redact(e.Message)}.", LlmFailureKind.MalformedResponse, name, response.StatusCode, innerException: e);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LlmRequestException($"No complete answer from {name} within {_options.RequestTimeout.TotalSeconds:0.#} s.", LlmFailureKind.Timeout, name, innerException: e);
        }
        catch (HttpRequestException e)
        {
            // Messages of HttpRequestException name host and socket error only; the Authorization header never appears there.
            var refused = e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };
            throw new LlmRequestException(refused
                    ? $"Connection to {name} refused: is the server running at {name}? Start it, or check the URL. ({Redact(e.Message)})"
                    : $"Connection to {name} failed: {Redact(e.Message)}",
                LlmFailureKind.Connection, name, innerException: e)
            { Refused = refused };
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

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>Servers echo parts of requests in errors; make sure the key is not among them.</summary>
    public string Redact(string text) => SecretRedactor.Redact(text, ApiKey);

    private static Uri Url(Uri baseUrl, string path)
    {
        var text = baseUrl.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    public void Dispose()
    {
        Pool.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
