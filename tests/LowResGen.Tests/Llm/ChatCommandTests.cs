using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Llm;

public class ChatCommandTests
{
    [Fact]
    public async Task Chat_answers_from_a_served_model_and_from_an_embedded_gguf()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var served = await CliProcess.RunAsync("chat", "--model", server.BaseUrl.AbsoluteUri.TrimEnd('/') + "#fake", "--system", "Be brief.", "bore da");
        Assert.True(served.ExitCode == 0, served.Stderr);
        Assert.Equal("answer: bore da", served.Stdout.Trim());
        var request = Assert.Single(server.Requests);
        Assert.Equal(("system", "Be brief."), request.Messages[0]);

        var directory = Directory.CreateTempSubdirectory("lowresgen-chat-").FullName;
        using var cleanup = new DeleteOnDispose(directory);
        var model = Path.Combine(directory, "tiny.gguf");
        TinyGgufWriter.Write(model);
        var embedded = await CliProcess.RunAsync("chat", "--model", model, "--max-tokens", "4", "--seed", "1", "hello");
        Assert.True(embedded.ExitCode == 0, embedded.Stderr);
        var again = await CliProcess.RunAsync("chat", "--model", model, "--max-tokens", "4", "--seed", "1", "hello");
        Assert.Equal(embedded.Stdout, again.Stdout);
    }

    [Fact]
    public async Task A_model_that_is_nowhere_is_a_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("lowresgen-chat-cache-").FullName;
        using var cleanup = new DeleteOnDispose(empty);
        var result = await CliProcess.RunAsync("chat", "--model", "no-such-model", "--cache-dir", empty, "hello");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-such-model", result.Stderr);
        Assert.Contains("model cache", result.Stderr);
    }
}
