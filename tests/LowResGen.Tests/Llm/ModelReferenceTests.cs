using LowResGen.Common;
using LowResGen.Llm;
using LowResGen.Llm.Served;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class ModelReferenceTests
{
    [Fact]
    public void A_url_with_a_fragment_names_server_and_model()
    {
        var reference = Assert.IsType<ServedModelReference>(ModelReference.Parse("http://localhost:8000/v1#Qwen/Qwen2.5-7B-Instruct"));
        Assert.Equal("Qwen/Qwen2.5-7B-Instruct", reference.Options.Model);
        Assert.Equal("http://localhost:8000/v1", Assert.Single(reference.Options.Endpoints).DisplayName);
        Assert.Null(reference.Options.ApiKeyEnvironmentVariable);
    }

    [Fact]
    public void Several_urls_become_several_endpoints_and_model_name_can_come_separately()
    {
        var reference = Assert.IsType<ServedModelReference>(
            ModelReference.Parse("http://a:8000/v1, http://b:8000/v1", modelName: "llama", maxInFlightPerEndpoint: 32));
        Assert.Equal("llama", reference.Options.Model);
        Assert.Equal(["http://a:8000/v1", "http://b:8000/v1"], reference.Options.Endpoints.Select(e => e.DisplayName));
        Assert.All(reference.Options.Endpoints, e => Assert.Equal(32, e.MaxInFlight));
    }

    [Fact]
    public void OpenAi_urls_default_to_the_openai_key_variable()
    {
        var reference = Assert.IsType<ServedModelReference>(ModelReference.Parse("https://api.openai.com/v1#gpt-4o-mini"));
        Assert.Equal("OPENAI_API_KEY", reference.Options.ApiKeyEnvironmentVariable);
        Assert.Equal(ServerKind.OpenAi, reference.Options.ServerKind);
    }

    [Theory]
    [InlineData("http://localhost:8000/v1", "names a server but not the model")]
    [InlineData("http://user:secret@host/v1#m", "credentials do not belong in the URL")]
    [InlineData("http://host/v1?api_key=x#m", "credentials do not belong in the URL")]
    public void Bad_urls_are_explained(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ModelReference.Parse(text));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void Gguf_paths_and_cache_names_are_embedded()
    {
        Assert.True(Assert.IsType<EmbeddedModelReference>(ModelReference.Parse("/models/qwen 0.5b.Q4_K_M.gguf")).IsFilePath);
        var cached = Assert.IsType<EmbeddedModelReference>(ModelReference.Parse("qwen2.5-0.5b-instruct"));
        Assert.False(cached.IsFilePath);
        Assert.Equal("qwen2.5-0.5b-instruct", cached.DisplayName);
    }

    [Fact]
    public void Named_models_come_from_the_config()
    {
        var config = LlmConfig.Parse("""
            [[models]]
            name = "qwen7b"
            model = "Qwen/Qwen2.5-7B-Instruct"
            api_key_env = "VLLM_KEY"
            server = "vllm"
            rpm = 600
            tpm = 100000
            timeout_seconds = 30
            endpoints = [ { url = "http://gpu1:8000/v1", max_in_flight = 128 }, { url = "http://gpu2:8000/v1" } ]

            [[models]]
            name = "local"
            gguf = "/models/small.gguf"
            """, "llm.toml");

        var served = Assert.IsType<ServedModelReference>(ModelReference.Parse("qwen7b", config: config));
        Assert.Equal("Qwen/Qwen2.5-7B-Instruct", served.Options.Model);
        Assert.Equal([128, 64], served.Options.Endpoints.Select(e => e.MaxInFlight));
        Assert.Equal(("VLLM_KEY", ServerKind.Vllm, 600, 100000), (served.Options.ApiKeyEnvironmentVariable, served.Options.ServerKind, served.RequestsPerMinute, served.TokensPerMinute));
        Assert.Equal(TimeSpan.FromSeconds(30), served.Options.RequestTimeout);
        Assert.Equal("/models/small.gguf", Assert.IsType<EmbeddedModelReference>(ModelReference.Parse("local", config: config)).PathOrName);
    }

    [Theory]
    [InlineData("[[models]]\nname = \"x\"\napi_key = \"sk-123\"\nendpoints = [ { url = \"http://h/v1\" } ]", "api_key", 2, "never read from config")]
    [InlineData("[[models]]\nname = \"x\"\nendpoints = [ { url = \"http://h/v1\", max_in_flight = 0 } ]", "max_in_flight", 2, ">= 1")]
    [InlineData("[[models]]\nname = \"x\"\nendpoint = \"http://h/v1\"", "models.endpoint", 3, "did you mean 'endpoints'")]
    [InlineData("[[models]]\nname = \"x\"\nserver = \"tgi-ish\"\nendpoints = [ { url = \"http://h/v1\" } ]", "server", 2, "vllm, llamacpp")]
    [InlineData("[[models]]\nname = \"x\"\n\n[[models]]\nname = \"y\"\ngguf = \"a.gguf\"\nendpoints = [ { url = \"ftp://h\" } ]", "endpoints", 2, "either endpoints")]
    public void Config_errors_name_file_line_and_field(string toml, string field, int line, string problem)
    {
        var error = Assert.Throws<DataFormatException>(() => LlmConfig.Parse(toml, "conf/llm.toml"));
        Assert.Equal(("conf/llm.toml", field), (error.File, error.Field));
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void Invalid_toml_is_a_data_format_error()
    {
        var error = Assert.Throws<DataFormatException>(() => LlmConfig.Parse("[[models]\nname = ", "llm.toml"));
        Assert.Contains("not valid TOML", error.Message);
    }

    [Fact]
    public async Task The_factory_builds_embedded_clients_through_the_injected_backend_with_the_standard_stack()
    {
        var path = LlmTestKit.TempPath("tiny model.gguf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        var inner = new ScriptedChatClient((m, _) => "embedded: " + m[^1].Text);
        EmbeddedModelReference? seen = null;
        var factory = new LlmClientFactory(new LlmClientOptions
        {
            CachePath = LlmTestKit.TempPath("cache.sqlite"),
            EmbeddedBackend = (reference, _) =>
            {
                seen = reference;
                return inner;
            },
        });
        using var client = factory.Create(path);

        var first = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        var second = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal(path, seen!.PathOrName);
        Assert.Equal(("embedded: hi", false, true), (first.Text, first.IsCacheHit(), second.IsCacheHit()));
        Assert.Equal(1, inner.CallCount);
        Assert.Equal((2, 1, 1), (factory.Usage.Requests, factory.Usage.Succeeded, factory.Usage.Cached));
    }

    [Fact]
    public void Embedded_references_without_a_runtime_or_file_are_clear_errors()
    {
        var noRuntime = Assert.Throws<InvalidOperationException>(() => new LlmClientFactory(new LlmClientOptions { EmbeddedBackend = null }).Create("some-model-name"));
        Assert.Contains("some-model-name", noRuntime.Message);

        // The default runtime names what it could not find: not a file, not in the model cache, not a URL or configured name.
        var notFound = Assert.Throws<ArgumentException>(() => new LlmClientFactory().Create("some-model-name"));
        Assert.Contains("some-model-name", notFound.Message);
        var factory = new LlmClientFactory(new LlmClientOptions { EmbeddedBackend = (_, _) => new ScriptedChatClient((_, _) => "") });
        Assert.Throws<FileNotFoundException>(() => factory.Create("/nonexistent/model.gguf"));
    }
}
