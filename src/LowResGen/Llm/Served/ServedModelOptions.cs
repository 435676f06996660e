using LowResGen.Common;

namespace LowResGen.Llm.Served;

/// <summary>One server that serves the model, e.g. <c>http://gpu1:8000/v1</c>, and how many requests it may have in flight.</summary>
public sealed record ServedEndpoint(Uri BaseUrl, int MaxInFlight = ServedEndpoint.DefaultMaxInFlight)
{
    /// <summary>Requests in flight per endpoint unless configured: enough to keep a vLLM batch full.</summary>
    public const int DefaultMaxInFlight = 64;

    /// <summary>The URL as shown in logs and errors: scheme, host, port and path only (user info and query removed).</summary>
    public string DisplayName => UrlRedaction.Describe(BaseUrl);
}

/// <summary>Which server-specific request fields to send for grammars and fixed choices.</summary>
public enum ServerKind
{
    /// <summary>Unknown server: send both the vLLM fields (guided_*) and the llama.cpp field (grammar); each ignores the other's.</summary>
    Generic,

    /// <summary>vLLM: guided_choice, guided_grammar.</summary>
    Vllm,

    /// <summary>llama.cpp server: grammar (fixed choices become a grammar).</summary>
    LlamaCpp,

    /// <summary>OpenAI, Ollama, TGI and others that reject or ignore unknown fields: no grammar fields are sent.</summary>
    OpenAi,
}

/// <summary>How to reach one served model.</summary>
public sealed record ServedModelOptions
{
    /// <summary>The model name the server expects in the request, e.g. <c>Qwen/Qwen2.5-7B-Instruct</c>.</summary>
    public required string Model { get; init; }

    /// <summary>Servers that all serve <see cref="Model"/>; each request goes to the least-loaded one.</summary>
    public required IReadOnlyList<ServedEndpoint> Endpoints { get; init; }

    /// <summary>Name of the environment variable that holds the API key (never the key itself). Null: no key is sent.</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>Time limit of one attempt, from sending the request to the last byte of the answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    public static TimeSpan DefaultRequestTimeout { get; } = TimeSpan.FromMinutes(5);

    public ServerKind ServerKind { get; init; } = ServerKind.Generic;

    /// <summary>How long an endpoint is avoided after a connection failure or 5xx (doubles per consecutive failure, up to 32x).</summary>
    public TimeSpan EndpointCooldown { get; init; } = TimeSpan.FromSeconds(1);
}
