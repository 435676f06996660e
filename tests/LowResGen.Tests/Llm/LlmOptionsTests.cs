using System.CommandLine;
using LowResGen.Cli.Commands;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm;

public sealed class LlmOptionsTests
{
    [Fact]
    public async Task Command_line_options_become_a_factory_that_reaches_the_server()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var (variable, key) = LlmTestKit.NewApiKey();
        var cache = LlmTestKit.TempPath("cli cache.sqlite");
        var options = new LlmOptions();
        var command = new Command("probe");
        options.AddTo(command);

        var parsed = command.Parse(["--model", server.BaseUrl.ToString(), "--model-name", "served-model", "--api-key-env", variable,
            "--llm-cache", cache, "--max-in-flight", "3", "--request-timeout", "5"]);
        var factory = options.CreateFactory(parsed);
        using var client = factory.Create(parsed.GetValue(options.Model)!);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);

        Assert.Empty(parsed.Errors);
        var request = Assert.Single(server.Requests);
        Assert.Equal("served-model", request.Body["model"]!.GetValue<string>());
        Assert.Equal("Bearer " + key, request.Authorization);
        Assert.True(File.Exists(cache));
        Assert.Equal(3, factory.Options.MaxInFlightPerEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(5), factory.Options.RequestTimeout);
    }

    [Fact]
    public void Model_is_required()
    {
        var options = new LlmOptions();
        var command = new Command("probe");
        options.AddTo(command);
        Assert.NotEmpty(command.Parse([]).Errors);
    }
}
