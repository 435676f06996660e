using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace LowResGen.DryRun;

/// <summary>One prompt a run would send, with the label it is for (the gold label of the text, for classification).</summary>
public sealed record PlannedPrompt(string Label, IReadOnlyList<ChatMessage> Messages);

/// <summary>
/// What a run would send, found by driving the real pipeline with a <see cref="Llm.RecordingChatClient"/>: the first
/// prompts per label, exactly as built, and how many LLM calls the run makes (a range where answers decide, e.g. how
/// many generated candidates survive the filters). Nothing is sent and nothing is written.
/// </summary>
public sealed record DryRunPlan(string Title, IReadOnlyList<PlannedPrompt> Prompts, long MinimumCalls, long MaximumCalls, IReadOnlyList<string> Notes)
{
    public string CallsText => MinimumCalls == MaximumCalls
        ? string.Create(CultureInfo.InvariantCulture, $"{MinimumCalls} LLM calls")
        : string.Create(CultureInfo.InvariantCulture, $"{MinimumCalls} to {MaximumCalls} LLM calls");

    /// <summary>The plan as the CLI prints it: a header, every planned prompt with its messages, the notes.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"dry run: {Title}: {CallsText}; nothing was sent.\n");
        foreach (var group in Prompts.GroupBy(p => p.Label, StringComparer.Ordinal))
        {
            var number = 0;
            foreach (var prompt in group)
            {
                text.Append(CultureInfo.InvariantCulture, $"--- {group.Key}: prompt {++number} ---\n");
                foreach (var message in prompt.Messages)
                {
                    text.Append(CultureInfo.InvariantCulture, $"[{message.Role.Value}]\n{message.Text}\n");
                }
            }
        }

        foreach (var note in Notes)
        {
            text.Append("note: ").Append(note).Append('\n');
        }

        return text.ToString();
    }
}
