using System.CommandLine;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.Llm.Middleware;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Cli.Commands;

/// <summary>
/// The LLM options every LLM-using command shares (<c>--model</c>, <c>--model-name</c>, <c>--api-key-env</c>,
/// <c>--llm-config</c>, <c>--llm-cache</c>, <c>--max-in-flight</c>, <c>--request-timeout</c>), and the one way to turn them
/// into an <see cref="LlmClientFactory"/>. Create one per command, <see cref="AddTo"/> it, call <see cref="CreateFactory"/> in the action.
/// </summary>
public sealed class LlmOptions
{
    public Option<string> Model { get; } = new("--model")
    {
        Description = "GGUF file or model-cache name (embedded), http(s)://host:port/v1#model-name (OpenAI-compatible server; "
            + "several URLs separated by commas), or a model named in llm.toml",
        Required = true,
    };

    public Option<string?> ModelName { get; } = new("--model-name") { Description = "Model name for a server URL given without #name" };

    public Option<string?> ApiKeyEnv { get; } = new("--api-key-env") { Description = "NAME of the environment variable that holds the server's API key" };

    public Option<FileInfo?> Config { get; } = new("--llm-config") { Description = "Named models (default: $LOWRESGEN_LLM_CONFIG, ./llm.toml, ~/.config/lowresgen/llm.toml)" };

    public Option<FileInfo?> Cache { get; } = new("--llm-cache") { Description = "SQLite response cache; reruns replay answers from it (default: llm-cache.sqlite in the output folder)" };

    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Do not read or write the response cache" };

    public Option<int> MaxInFlight { get; } = new("--max-in-flight") { Description = "Requests in flight per server URL", DefaultValueFactory = _ => ServedEndpoint.DefaultMaxInFlight };

    public Option<double?> RequestTimeout { get; } = new("--request-timeout") { Description = FormattableString.Invariant($"Seconds one attempt may take (default {ServedModelOptions.DefaultRequestTimeout.TotalSeconds:0})") };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, ModelName, ApiKeyEnv, Config, Cache, NoCache, MaxInFlight, RequestTimeout })
        {
            command.Options.Add(option);
        }
    }

    /// <param name="embeddedModel">Options of embedded (GGUF) models for a resolved path; null: the defaults.</param>
    /// <param name="defaultCachePath">Response cache when <c>--llm-cache</c> is not given; null: no cache unless asked for.</param>
    /// <param name="modelCacheDirectory">Where embedded model names resolve; null: the default model cache.</param>
    public LlmClientFactory CreateFactory(ParseResult parseResult, ILoggerFactory? loggerFactory = null,
        Func<string, EmbeddedModelOptions>? embeddedModel = null, string? defaultCachePath = null, string? modelCacheDirectory = null)
    {
        var config = parseResult.GetValue(Config) is { } file ? LlmConfig.Load(file.FullName) : LlmConfig.LoadDefault();
        return new LlmClientFactory(new LlmClientOptions
        {
            Config = config,
            ModelName = parseResult.GetValue(ModelName),
            ApiKeyEnvironmentVariable = parseResult.GetValue(ApiKeyEnv),
            CachePath = parseResult.GetValue(NoCache) ? null : parseResult.GetValue(Cache)?.FullName ?? defaultCachePath,
            MaxInFlightPerEndpoint = parseResult.GetValue(MaxInFlight),
            RequestTimeout = parseResult.GetValue(RequestTimeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            LoggerFactory = loggerFactory,
            EmbeddedBackend = LlmClientOptions.Embedded(embeddedModel ?? (path => new EmbeddedModelOptions(path))),
            ModelCacheDirectory = modelCacheDirectory,
        });
    }

    /// <summary>One model's usage after a run, as every LLM command prints it (answers and log-probability scorings alike).</summary>
    public static string UsageLine(ModelUsage model) =>
        $"LLM {model.Model}: {model.Requests} requests, {model.Succeeded} answered, {model.Cached} cached, "
        + $"{model.Failed} failed, {model.Retries} retries, {model.InputTokens + model.OutputTokens} tokens.";

    /// <summary>Progress and warnings (classes finished, retries, short quotas) on standard error, one line each.</summary>
    public static ILoggerFactory ProgressLogging() => LoggerFactory.Create(builder => builder
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .SetMinimumLevel(LogLevel.Information));
}
