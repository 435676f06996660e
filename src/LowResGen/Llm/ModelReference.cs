using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;

namespace LowResGen.Llm;

/// <summary>
/// What a user means by <c>--model</c>: a GGUF file or model-cache name for the embedded runtime, or an OpenAI-compatible
/// server (a URL, or a named endpoint set from <see cref="LlmConfig"/>). <see cref="Parse"/> decides; <see cref="LlmClientFactory"/> builds.
/// </summary>
public abstract record ModelReference
{
    /// <summary>Short name for logs, usage reports and cache identity.</summary>
    public abstract string DisplayName { get; }

    /// <summary>
    /// Parses <c>--model</c>. In order: a named model from <paramref name="config"/>; an <c>http(s)://</c> URL (several may be
    /// separated by commas; the model name after <c>#</c> or in <paramref name="modelName"/>); a path ending in <c>.gguf</c> or
    /// naming an existing file; otherwise a model-cache name for the embedded runtime.
    /// </summary>
    /// <param name="apiKeyEnvironmentVariable">For URLs: NAME of the environment variable with the key (api.openai.com defaults to OPENAI_API_KEY).</param>
    public static ModelReference Parse(string text, string? modelName = null, LlmConfig? config = null,
        string? apiKeyEnvironmentVariable = null, int maxInFlightPerEndpoint = ServedEndpoint.DefaultMaxInFlight)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        if (config?.Find(text) is { } configured)
        {
            return configured.Served is { } served
                ? new ServedModelReference(configured.Name, served, configured.Price, configured.RequestsPerMinute, configured.TokensPerMinute)
                : new EmbeddedModelReference(configured.GgufPath!);
        }

        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseUrl(text, modelName, apiKeyEnvironmentVariable, maxInFlightPerEndpoint);
        }

        return new EmbeddedModelReference(text);
    }

    private static ServedModelReference ParseUrl(string text, string? modelName, string? apiKeyEnvironmentVariable, int maxInFlight)
    {
        var hash = text.IndexOf('#');
        var fragment = hash >= 0 ? Uri.UnescapeDataString(text[(hash + 1)..]) : null;
        var urls = (hash >= 0 ? text[..hash] : text).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = modelName is { Length: > 0 } ? modelName : fragment is { Length: > 0 } ? fragment : null;
        if (name is null)
        {
            throw new ArgumentException(
                $"'{text}' names a server but not the model; add it after '#' (http://host:8000/v1#Qwen/Qwen2.5-7B-Instruct) or pass --model-name.");
        }

        var endpoints = urls.Select(u => new ServedEndpoint(ParseEndpointUrl(u, problem => new ArgumentException(problem)), maxInFlight)).ToArray();
        var isOpenAi = endpoints.All(e => e.BaseUrl.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase));
        var served = new ServedModelOptions
        {
            Model = name,
            Endpoints = endpoints,
            ApiKeyEnvironmentVariable = apiKeyEnvironmentVariable ?? (isOpenAi ? "OPENAI_API_KEY" : null),
            ServerKind = isOpenAi ? ServerKind.OpenAi : ServerKind.Generic,
        };
        return new ServedModelReference(name, served, null, null, null);
    }

    /// <summary>Checks a base URL (http or https, no credentials in it) and returns it.</summary>
    internal static Uri ParseEndpointUrl(string url, Func<string, Exception> error)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw error($"'{url}' is not an http(s) URL such as http://localhost:8000/v1");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Contains("key", StringComparison.OrdinalIgnoreCase))
        {
            throw error("credentials do not belong in the URL; put the API key in an environment variable and name it (api_key_env / --api-key-env)");
        }

        return uri;
    }
}

/// <summary>A GGUF file path, or a name the embedded runtime's model cache resolves.</summary>
public sealed record EmbeddedModelReference(string PathOrName) : ModelReference
{
    public bool IsFilePath => PathOrName.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || File.Exists(PathOrName);

    public override string DisplayName => IsFilePath ? Path.GetFileNameWithoutExtension(PathOrName) : PathOrName;
}

/// <summary>A model on one or more OpenAI-compatible servers.</summary>
public sealed record ServedModelReference(string Name, ServedModelOptions Options, ModelPrice? Price, int? RequestsPerMinute, int? TokensPerMinute)
    : ModelReference
{
    public override string DisplayName => Name;
}
