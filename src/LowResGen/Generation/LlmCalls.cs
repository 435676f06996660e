using System.Text;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Generation;

/// <summary>Small helpers shared by every LLM call of the generation pipeline: token accounting, the model name and its context.</summary>
internal static class LlmCalls
{
    /// <summary>Tokens spent on a call, as reported by the backend, or estimated when it reports none.</summary>
    public static long TokensOf(ChatResponse response, IReadOnlyList<ChatMessage> messages, string answer)
    {
        if (response.Usage is { } usage)
        {
            if (usage.TotalTokenCount is { } total)
            {
                return total;
            }

            if (usage.InputTokenCount is not null || usage.OutputTokenCount is not null)
            {
                return (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0);
            }
        }

        return EstimateTokens(messages) + EstimateTokens(answer);
    }

    /// <summary>
    /// A deliberately generous estimate for when the backend offers no tokenizer: one token per three UTF-8 bytes
    /// (about one per character for Thai or Telugu, where tokenizers are least efficient) plus a few per message.
    /// </summary>
    public static int EstimateTokens(IEnumerable<ChatMessage> messages) => messages.Sum(m => EstimateTokens(m.Text) + 8);

    public static int EstimateTokens(string text) => (Encoding.UTF8.GetByteCount(text) + 2) / 3;

    public static string ModelIdOf(IChatClient client, string? explicitModelId) =>
        !string.IsNullOrWhiteSpace(explicitModelId)
            ? explicitModelId
            : client.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown-model";

    public static (int ContextLength, Func<IReadOnlyList<ChatMessage>, int> Count)? ContextOf(IChatClient client, int? fallbackContextLength)
    {
        if (client.GetService<ITokenCounter>() is { } counter)
        {
            return (counter.ContextLength, m => counter.CountChatTokens(m));
        }

        return fallbackContextLength is { } length ? (length, m => EstimateTokens(m)) : null;
    }
}
