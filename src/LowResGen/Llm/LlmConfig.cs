using LowResGen.Common;
using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Tomlyn;
using Tomlyn.Model;

namespace LowResGen.Llm;

/// <summary>One named model from <c>llm.toml</c>: a set of served endpoints, or a GGUF file for the embedded runtime.</summary>
public sealed record ConfiguredModel(
    string Name,
    ServedModelOptions? Served,
    string? GgufPath,
    ModelPrice? Price,
    int? RequestsPerMinute,
    int? TokensPerMinute);

/// <summary>
/// Named models from a TOML file, so a study can say <c>--model qwen7b</c> instead of repeating URLs:
/// <code>
/// [[models]]
/// name = "qwen7b"                         # what users pass as --model
/// model = "Qwen/Qwen2.5-7B-Instruct"      # name the server expects (default: name)
/// api_key_env = "VLLM_API_KEY"            # NAME of the environment variable holding the key (optional)
/// server = "vllm"                         # vllm | llamacpp | openai | generic (default)
/// timeout_seconds = 300
/// price_per_1k_input = 0.0005             # optional, for cost accounting
/// price_per_1k_output = 0.0015
/// rpm = 600                               # optional requests / tokens per minute limits
/// tpm = 200000
/// endpoints = [ { url = "http://gpu1:8000/v1", max_in_flight = 128 },
///               { url = "http://gpu2:8000/v1", max_in_flight = 64 } ]
///
/// [[models]]
/// name = "local"
/// gguf = "/models/qwen2.5-1.5b-instruct-q4_k_m.gguf"
/// </code>
/// A literal <c>api_key</c> is refused: keys live in environment variables only.
/// </summary>
public sealed record LlmConfig(string File, IReadOnlyList<ConfiguredModel> Models)
{
    /// <summary>Environment variable that points at the config file.</summary>
    public const string PathVariable = "LOWRESGEN_LLM_CONFIG";

    private static readonly HashSet<string> ModelKeys =
    [
        "name", "model", "api_key_env", "server", "timeout_seconds", "price_per_1k_input", "price_per_1k_output", "rpm", "tpm", "endpoints", "gguf",
    ];

    /// <summary>Every key the file may contain (api_key is refused separately, with its own explanation).</summary>
    public static TomlKeys Keys { get; } = new(new Dictionary<string, TomlKeys?>
    {
        ["models"] = new(ModelKeys.Append("api_key").ToDictionary(k => k, k => k == "endpoints"
            ? new TomlKeys(new Dictionary<string, TomlKeys?> { ["url"] = null, ["max_in_flight"] = null })
            : null)),
    });

    public ConfiguredModel? Find(string name) => Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>The config a run uses when none is given: <c>$LOWRESGEN_LLM_CONFIG</c>, else <c>./llm.toml</c>, else
    /// <c>~/.config/lowresgen/llm.toml</c>; null when none exists.</summary>
    public static LlmConfig? LoadDefault()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } explicitPath)
        {
            return Load(explicitPath);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = new[] { Path.GetFullPath("llm.toml"), Path.Combine(home, ".config", "lowresgen", "llm.toml") };
        return candidates.FirstOrDefault(System.IO.File.Exists) is { } found ? Load(found) : null;
    }

    public static LlmConfig Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"LLM config file not found: {path}", path);
        }

        return Parse(System.IO.File.ReadAllText(path), path);
    }

    public static LlmConfig Parse(string toml, string file)
    {
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(toml)!;
        }
        catch (TomlException e)
        {
            throw new DataFormatException(file, null, null, $"not valid TOML: {e.Message}", e);
        }

        Keys.Check(root, toml, file);
        var lines = toml.ReplaceLineEndings("\n").Split('\n');
        var models = new List<ConfiguredModel>();
        if (root.TryGetValue("models", out var value))
        {
            if (value is not TomlTableArray tables)
            {
                throw new DataFormatException(file, LineOf(lines, "models"), "models", "must be an array of tables ([[models]])");
            }

            foreach (var table in tables)
            {
                var model = ParseModel(table, file, lines);
                if (models.Any(m => m.Name == model.Name))
                {
                    throw new DataFormatException(file, LineOf(lines, model.Name), "name", $"model '{model.Name}' is defined twice");
                }

                models.Add(model);
            }
        }

        return new LlmConfig(file, models);
    }

    private static ConfiguredModel ParseModel(TomlTable table, string file, string[] lines)
    {
        if (!table.TryGetValue("name", out var nameValue) || nameValue is not string { Length: > 0 } name)
        {
            throw new DataFormatException(file, null, "name", "every [[models]] entry needs a name");
        }

        var line = LineOf(lines, $"\"{name}\"");
        DataFormatException Error(string field, string problem) => new(file, line, field, $"model '{name}': {problem}");

        foreach (var key in table.Keys)
        {
            if (key == "api_key")
            {
                throw Error(key, "API keys are never read from config files; set an environment variable and name it with api_key_env");
            }

            if (!ModelKeys.Contains(key))
            {
                throw Error(key, $"unknown key (known: {string.Join(", ", ModelKeys)})");
            }
        }

        string? Text(string key) => table.TryGetValue(key, out var v)
            ? v as string ?? throw Error(key, "must be a string")
            : null;
        double? Number(string key) => table.TryGetValue(key, out var v)
            ? v switch { long l => l, double d => d, _ => throw Error(key, "must be a number") }
            : null;
        int? Count(string key) => Number(key) is { } n
            ? n >= 1 && n == Math.Floor(n) && n <= int.MaxValue ? (int)n : throw Error(key, "must be a whole number >= 1")
            : null;

        var price = (Number("price_per_1k_input"), Number("price_per_1k_output")) switch
        {
            (null, null) => null,
            var (input, output) => new ModelPrice((decimal)(input ?? 0), (decimal)(output ?? 0)),
        };
        var gguf = Text("gguf");
        var hasEndpoints = table.ContainsKey("endpoints");
        if ((gguf is null) == !hasEndpoints)
        {
            throw Error(gguf is null ? "endpoints" : "gguf", "give either endpoints (a served model) or gguf (an embedded model), not both or neither");
        }

        if (gguf is not null)
        {
            return new ConfiguredModel(name, null, gguf, price, Count("rpm"), Count("tpm"));
        }

        if (table["endpoints"] is not TomlArray endpointArray || endpointArray.Count == 0)
        {
            throw Error("endpoints", "must be a non-empty array of { url = \"http://host:port/v1\", max_in_flight = N }");
        }

        var endpoints = new List<ServedEndpoint>();
        foreach (var item in endpointArray)
        {
            if (item is not TomlTable endpoint || !endpoint.TryGetValue("url", out var urlValue) || urlValue is not string url)
            {
                throw Error("endpoints", "each endpoint needs url = \"http://host:port/v1\"");
            }

            var maxInFlight = endpoint.TryGetValue("max_in_flight", out var m) ? m is long n && n >= 1 ? (int)n : throw Error("max_in_flight", "must be a whole number >= 1") : ServedEndpoint.DefaultMaxInFlight;
            endpoints.Add(new ServedEndpoint(ModelReference.ParseEndpointUrl(url, field => Error("endpoints.url", field)), maxInFlight));
        }

        var server = Text("server") is { } kind
            ? Enum.TryParse<ServerKind>(kind.Replace("-", "").Replace(".", ""), ignoreCase: true, out var parsed)
                ? parsed
                : throw Error("server", "must be vllm, llamacpp, openai or generic")
            : ServerKind.Generic;
        var served = new ServedModelOptions
        {
            Model = Text("model") ?? name,
            Endpoints = endpoints,
            ApiKeyEnvironmentVariable = Text("api_key_env"),
            ServerKind = server,
            RequestTimeout = Number("timeout_seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : ServedModelOptions.DefaultRequestTimeout,
        };
        return new ConfiguredModel(name, served, null, price, Count("rpm"), Count("tpm"));
    }

    /// <summary>1-based line of the first occurrence of <paramref name="needle"/>; null when absent.</summary>
    private static long? LineOf(string[] lines, string needle)
    {
        var index = Array.FindIndex(lines, l => l.Contains(needle, StringComparison.Ordinal));
        return index < 0 ? null : index + 1;
    }
}
