using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.LlmClassification;

namespace LowResGen.Tests.LlmClassification;

public sealed class ChatJsonlTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-chatjsonl-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Export_round_trips_real_texts_and_labels()
    {
        var task = BuiltInTasks.Sib200;
        var gold = (await ExampleFiles.ReadAsync(SharedData.Kinit("topic", "cy", "test"), new ImportOptions { Task = task }, CancellationToken.None)).Examples;
        var path = Path.Combine(directory, "train.jsonl");

        await ChatJsonl.WriteAsync(path, gold, new ClassificationPrompt(task), CancellationToken.None);
        var back = await ChatJsonl.ReadAsync(path, task, CancellationToken.None);

        Assert.Equal(gold.Select(e => (e.Text, e.Label)), back.Select(e => (e.Text, e.Label)));
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(gold.Count, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var roles = first.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString());
        Assert.Equal(["system", "user", "assistant"], roles);
        var user = first.RootElement.GetProperty("messages")[1].GetProperty("content").GetString()!;
        Assert.All(task.Labels, label => Assert.Contains(label, user));
        Assert.Equal(gold[0].Label, first.RootElement.GetProperty("messages")[2].GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_bad_line_names_file_and_line()
    {
        var path = Path.Combine(directory, "bad.jsonl");
        var good = ChatJsonl.FormatLine(new ClassificationPrompt(BuiltInTasks.Sentiment),
            new Example("1", "fine", "positive", "en", Splits.Train, "t"));
        await File.WriteAllLinesAsync(path, [good, "{\"messages\": [{\"role\": \"user\", \"content\": \"Text: x\"}]}"]);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ChatJsonl.ReadAsync(path, BuiltInTasks.Sentiment, CancellationToken.None));
        Assert.Equal(2, error.Line);
        Assert.Contains("assistant", error.Message);
    }

    [Fact]
    public async Task Export_command_writes_chat_jsonl_and_rejects_unknown_labels()
    {
        var output = Path.Combine(directory, "out.jsonl");
        var (code, stdout, stderr) = await CliTestHost.RunAsync(LowResGen.Cli.Commands.ExportCommand.Create(), "export", "--format", "chat-jsonl",
            "--input", SharedData.Kinit("intent", "cy", "test"), "--task", "intent", "--output", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("Wrote 565 conversations", stdout);
        Assert.Equal(565, (await ChatJsonl.ReadAsync(output, BuiltInTasks.Massive10, CancellationToken.None)).Count);

        var wrongTask = Path.Combine(directory, "wrong.jsonl");
        var (badCode, _, badError) = await CliTestHost.RunAsync(LowResGen.Cli.Commands.ExportCommand.Create(), "export",
            "--input", SharedData.Kinit("intent", "cy", "test"), "--task", "sentiment", "--output", wrongTask);
        Assert.Equal(1, badCode);
        Assert.Contains("unknown label", badError);
        Assert.False(File.Exists(wrongTask));
    }
}
