using System.Text.Json;
using LowResGen.Common;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;

namespace LowResGen.Encoders.Served;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> for OpenAI-compatible <c>/embeddings</c> endpoints (vLLM with an
/// embedding model, Ollama, llama.cpp server, TEI, Infinity, OpenAI). It shares the chat client's transport: API key from
/// an environment variable, least-loaded endpoint within each endpoint's in-flight limit, one failure type with its kind
/// and status. One call is one request with every text as <c>input</c>; cutting calls into requests, retries and adaptive
/// concurrency are middleware (see <see cref="EncoderFactory"/>).
/// </summary>
public sealed class OpenAiCompatibleEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ServedModelOptions _options;
    private readonly ServedTransport _transport;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <param name="options">Model, endpoints and the NAME of the API key's environment variable.</param>
    /// <param name="httpClient">Optional shared client (its Timeout is ignored; <see cref="ServedModelOptions.RequestTimeout"/> applies).</param>
    /// <param name="timeProvider">The clock of time limits and endpoint cool-downs; null: <see cref="TimeProvider.System"/>.</param>
    public OpenAiCompatibleEmbeddingGenerator(ServedModelOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        _transport = new ServedTransport(options, httpClient, timeProvider);
        _options = options;
        _metadata = new EmbeddingGeneratorMetadata("openai-compatible", options.Endpoints[0].BaseUrl, options.Model);
    }

    /// <summary>Sum of the endpoints' in-flight limits.</summary>
    public int TotalMaxInFlight => _transport.Pool.TotalCapacity;

    /// <summary>Load per endpoint (in flight, started, failed).</summary>
    public IReadOnlyList<EndpointLoad> EndpointLoads => _transport.Pool.Loads;

    /// <summary>The API key in use (null: none), so that the caller can redact it from its own logs.</summary>
    internal string? ApiKey => _transport.ApiKey;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        if (texts.Count == 0)
        {
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>());
        }

        var model = options?.ModelId ?? _options.Model;
        var body = WriteRequest(model, texts, options?.Dimensions);
        return _transport.PostAsync("embeddings", body, (payload, _) => ParseResponse(payload, texts.Count, model), cancellationToken);
    }

    internal static byte[] WriteRequest(string model, IReadOnlyList<string> texts, int? dimensions)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteStartArray("input");
            foreach (var text in texts)
            {
                json.WriteStringValue(text);
            }

            json.WriteEndArray();
            json.WriteString("encoding_format", "float");
            if (dimensions is { } size)
            {
                json.WriteNumber("dimensions", size);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Parses <c>{"data": [{"index": i, "embedding": [...]}, ...], "usage": {...}}</c>; anything else is a <see cref="FormatException"/>.</summary>
    internal static GeneratedEmbeddings<Embedding<float>> ParseResponse(byte[] payload, int expected, string model)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("no \"data\" array of embeddings");
            }

            var vectors = new float[expected][];
            var position = 0;
            foreach (var item in data.EnumerateArray())
            {
                var index = item.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position;
                if (index < 0 || index >= expected || vectors[index] is not null)
                {
                    throw new FormatException($"embedding index {index} is out of range or repeated for {expected} inputs");
                }

                if (!item.TryGetProperty("embedding", out var embedding) || embedding.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"embedding {index} is not an array of numbers (was encoding_format=float ignored?)");
                }

                var vector = new float[embedding.GetArrayLength()];
                var d = 0;
                foreach (var value in embedding.EnumerateArray())
                {
                    vector[d++] = value.ValueKind == JsonValueKind.Number ? value.GetSingle() : throw new FormatException($"embedding {index} holds a non-number");
                }

                vectors[index] = vector;
                position++;
            }

            if (position != expected)
            {
                throw new FormatException($"{position} embeddings for {expected} inputs");
            }

            if (vectors.Select(v => v.Length).Distinct().Count() != 1)
            {
                throw new FormatException("embeddings of different lengths in one answer");
            }

            var created = DateTimeOffset.UtcNow;
            var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = model, CreatedAt = created }));
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                result.Usage = new UsageDetails
                {
                    InputTokenCount = usage.TryGetProperty("prompt_tokens", out var prompt) && prompt.TryGetInt64(out var p) ? p : null,
                    TotalTokenCount = usage.TryGetProperty("total_tokens", out var total) && total.TryGetInt64(out var t) ? t : null,
                };
            }

            return result;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        BackendServices.Resolve(this, _metadata, serviceType, serviceKey);

    public void Dispose() => _transport.Dispose();
}
