using System.Net;

namespace LowResGen.Llm;

/// <summary>Why an LLM request failed; decides whether a retry can help.</summary>
public enum LlmFailureKind
{
    /// <summary>The attempt ran past its time limit.</summary>
    Timeout,

    /// <summary>HTTP 429: the server asks us to slow down.</summary>
    RateLimited,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>HTTP 4xx other than 429 (bad request, bad key, unknown model): retrying cannot help.</summary>
    ClientError,

    /// <summary>The connection was refused, reset or closed early.</summary>
    Connection,

    /// <summary>The server answered 2xx with a body that is not a valid chat completion.</summary>
    MalformedResponse,

    /// <summary>A well-formed answer that carries no usable text: null or empty content, no choices, or a content filter.</summary>
    InvalidAnswer,
}

/// <summary>
/// A failed LLM request, with what the caller needs to act on it: the endpoint, the HTTP status, the kind of failure and how
/// many attempts were made. Never carries the API key (messages are built from status, endpoint and a redacted body excerpt).
/// </summary>
public sealed class LlmRequestException : Exception
{
    public LlmRequestException(string message, LlmFailureKind kind, string endpoint, HttpStatusCode? statusCode = null,
        TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Endpoint = endpoint;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public LlmFailureKind Kind { get; }

    /// <summary>The endpoint's base URL (no credentials), or the model identity for non-HTTP backends.</summary>
    public string Endpoint { get; }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>How long the server asked us to wait (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Attempts made before giving up (1 when no retry middleware ran).</summary>
    public int Attempts { get; internal set; } = 1;

    /// <summary>The connection was refused (nothing listens at the endpoint).</summary>
    public bool Refused { get; init; }

    /// <summary>
    /// The server was never reached by this client (connections refused from the first request on): a wrong URL or a server
    /// that is not running. Not retried and not worth asking again; callers stop at once and show the hint in the message.
    /// </summary>
    public bool Unreachable { get; internal set; }

    /// <summary>True when the same request may succeed later (timeouts, 429, 5xx, broken connections, malformed bodies).</summary>
    public bool IsTransient => Kind != LlmFailureKind.ClientError;

    public override string Message => Attempts > 1 ? $"{base.Message} (gave up after {Attempts} attempts)" : base.Message;
}
