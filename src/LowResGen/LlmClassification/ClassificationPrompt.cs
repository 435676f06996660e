using System.Text;
using System.Text.Json;
using LowResGen.Data;
using Microsoft.Extensions.AI;

namespace LowResGen.LlmClassification;

/// <summary>
/// The chat that asks a model to classify one text: a system message naming the task and its labels, each demonstration
/// as a user turn (the text) and an assistant turn (its label), then the text to classify. The same wording is used for
/// classification and for instruction-tuning export, so a model tuned on the export sees the prompts it will be asked.
/// Labels appear under the task's display names ("sarcastic", not "1").
/// </summary>
public sealed class ClassificationPrompt(TaskDefinition task, bool includeDescriptions = true, bool jsonAnswer = false)
{
    public TaskDefinition Task => task;

    public string SystemMessage { get; } = BuildSystemMessage(task, includeDescriptions, jsonAnswer);

    public IReadOnlyList<ChatMessage> Build(IReadOnlyList<Example> demonstrations, string text)
    {
        var messages = new List<ChatMessage>(2 + 2 * demonstrations.Count) { new(ChatRole.System, SystemMessage) };
        foreach (var demonstration in demonstrations)
        {
            messages.Add(new ChatMessage(ChatRole.User, UserMessage(demonstration.Text)));
            messages.Add(new ChatMessage(ChatRole.Assistant, Answer(demonstration.Label)));
        }

        messages.Add(new ChatMessage(ChatRole.User, UserMessage(text)));
        return messages;
    }

    public static string UserMessage(string text) => "Text: " + text;

    /// <summary>The reply expected for a label value: its display name, or {"label": name} in JSON mode.</summary>
    public string Answer(string label)
    {
        var shown = task.DisplayNameOf(label);
        return jsonAnswer ? JsonSerializer.Serialize(new Dictionary<string, string> { ["label"] = shown }) : shown;
    }

    private static string BuildSystemMessage(TaskDefinition task, bool includeDescriptions, bool jsonAnswer)
    {
        var kind = task.LabelKind;
        var builder = new StringBuilder()
            .Append("Classify the ").Append(kind).Append(" of the text the user sends. ")
            .Append("The text may be in any language. The possible ").Append(kind).AppendLine(" labels are:");
        foreach (var label in task.Labels)
        {
            builder.Append("- ").Append(task.DisplayNameOf(label));
            if (includeDescriptions && task.DescriptionOf(label) is { } description)
            {
                builder.Append(": ").Append(description);
            }

            builder.AppendLine();
        }

        builder.Append(jsonAnswer
            ? "Answer with a JSON object {\"label\": \"...\"} whose label is exactly one of these labels."
            : "Answer with exactly one label from the list, written as above, and nothing else.");
        return builder.ToString();
    }
}
