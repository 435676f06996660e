using System.Globalization;
using LowResGen.Common;
using LowResGen.Data;
using Microsoft.Extensions.AI;

namespace LowResGen.Generation;

/// <summary>A generation prompt ready to send, with what it was built from (for the provenance).</summary>
public sealed record GenerationPrompt(
    IReadOnlyList<ChatMessage> Messages,
    int RequestedCount,
    IReadOnlyList<Example> Demonstrations,
    int DroppedDemonstrations,
    string Hash);

/// <summary>
/// Builds the system and user messages that ask for N examples of one label from the generate template, and drops
/// demonstrations one at a time (the last first) while the prompt plus the answer's token budget exceeds the context.
/// </summary>
public sealed class GenerationPromptBuilder(PromptTemplate template, bool askForJsonList)
{
    public PromptTemplate Template => template;

    public GenerationPrompt Build(LabelContext label, int count, IReadOnlyList<Example> demonstrations,
        (int ContextLength, Func<IReadOnlyList<ChatMessage>, int> Count)? context, int maxOutputTokens)
    {
        var shown = demonstrations.Count;
        var messages = Render(label, count, demonstrations, shown);
        if (context is { } c)
        {
            while (c.Count(messages) + maxOutputTokens > c.ContextLength)
            {
                if (shown == 0)
                {
                    throw new InvalidOperationException(
                        $"The generation prompt for '{label.ShownLabel}' needs {c.Count(messages)} tokens plus {maxOutputTokens} for the answer, " +
                        $"more than the model's context of {c.ContextLength} tokens, even without demonstrations. " +
                        "Lower the answer's token budget or use a model with a longer context.");
                }

                shown--;
                messages = Render(label, count, demonstrations, shown);
            }
        }

        var hash = ContentHash.Of(string.Join("\u001e", messages.Select(m => $"{m.Role}\u001f{m.Text}")), 16);
        return new GenerationPrompt(messages, count, [.. demonstrations.Take(shown)], demonstrations.Count - shown, hash);
    }

    private ChatMessage[] Render(LabelContext label, int count, IReadOnlyList<Example> demonstrations, int shown)
    {
        var values = new Dictionary<string, string>
        {
            ["count"] = count.ToString(CultureInfo.InvariantCulture),
            ["language"] = label.LanguageName,
            ["label"] = label.ShownLabel,
            ["label_kind"] = label.LabelKind,
            ["task"] = label.Task,
            ["description"] = label.Description ?? "",
            ["demonstrations"] = string.Join('\n', demonstrations.Take(shown).Select(d => d.Text.ReplaceLineEndings(" "))),
        };
        values["description_section"] = label.Description is null ? "" : template.RenderOptional("description", values);
        values["demonstrations_section"] = shown == 0 ? "" : template.RenderOptional("demonstrations", values);
        values["format_section"] = template.RenderOptional(askForJsonList ? "format-json" : "format-lines", values);
        return
        [
            new ChatMessage(ChatRole.System, template.Render("system", values)),
            new ChatMessage(ChatRole.User, template.Render("user", values)),
        ];
    }
}
