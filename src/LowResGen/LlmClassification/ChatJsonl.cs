using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LowResGen.Common;
using LowResGen.Data;

namespace LowResGen.LlmClassification;

/// <summary>
/// Instruction-tuning data in the chat format that OpenAI fine-tuning, TRL, Axolotl and most other tools read: one JSON
/// object per line, <c>{"messages": [system, user, assistant]}</c>. The system message is the classifier's instruction,
/// the user message carries the label list and the text, the assistant message is the label.
/// </summary>
public static class ChatJsonl
{
    private const string LabelsPrefix = "Labels: ";

    public static string UserMessage(TaskDefinition task, string text) =>
        LabelsPrefix + string.Join(", ", task.Labels.Select(task.DisplayNameOf)) + "\n" + ClassificationPrompt.UserMessage(text);

    /// <summary>One line of the file (no trailing newline).</summary>
    public static string FormatLine(ClassificationPrompt prompt, Example example)
    {
        var messages = new JsonArray
        {
            Message("system", prompt.SystemMessage),
            Message("user", UserMessage(prompt.Task, example.Text)),
            Message("assistant", prompt.Answer(example.Label)),
        };
        return new JsonObject { ["messages"] = messages }.ToJsonString();
    }

    public static Task WriteAsync(string path, IEnumerable<Example> examples, ClassificationPrompt prompt, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            foreach (var example in examples)
            {
                ct.ThrowIfCancellationRequested();
                await writer.WriteAsync(FormatLine(prompt, example).AsMemory(), ct).ConfigureAwait(false);
                await writer.WriteAsync("\n".AsMemory(), ct).ConfigureAwait(false);
            }
        }, cancellationToken);

    /// <summary>Reads a file written by <see cref="WriteAsync"/> back into (text, label) examples.</summary>
    public static async Task<IReadOnlyList<Example>> ReadAsync(string path, TaskDefinition task, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "file not found");
        }

        var examples = new List<Example>();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var (user, assistant) = ParseLine(path, lineNumber, line);
            var text = StripPrefixes(path, lineNumber, user);
            var answer = LabelJsonSchema.LabelFromJson(assistant) ?? assistant.Trim();
            var label = task.LabelOf(answer) ?? answer; // the file shows display names; examples hold values
            if (!task.HasLabel(label))
            {
                throw new DataFormatException(path, lineNumber, "messages[assistant]", $"unknown label '{label}' for task {task.Name}");
            }

            examples.Add(new Example($"{Path.GetFileName(path)}:{lineNumber}", text, label, "", Splits.Train, Path.GetFileName(path)));
        }

        return examples;
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static (string User, string Assistant) ParseLine(string path, int lineNumber, string line)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, lineNumber, null, "not valid JSON: " + e.Message);
        }

        if (root?["messages"] is not JsonArray messages)
        {
            throw new DataFormatException(path, lineNumber, "messages", "missing \"messages\" array");
        }

        string? Content(string role) => messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == role)?["content"]?.GetValue<string>();
        var user = Content("user") ?? throw new DataFormatException(path, lineNumber, "messages[user]", "no user message");
        var assistant = Content("assistant") ?? throw new DataFormatException(path, lineNumber, "messages[assistant]", "no assistant message");
        return (user, assistant);
    }

    private static string StripPrefixes(string path, int lineNumber, string user)
    {
        var textStart = user.IndexOf(ClassificationPrompt.UserMessage(""), StringComparison.Ordinal);
        if (textStart < 0)
        {
            throw new DataFormatException(path, lineNumber, "messages[user]", "no \"Text: \" in the user message");
        }

        return user[(textStart + ClassificationPrompt.UserMessage("").Length)..];
    }
}
