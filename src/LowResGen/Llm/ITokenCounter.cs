namespace LowResGen.Llm;

/// <summary>
/// Counts tokens the way a model does, so callers can check that a prompt fits its context window.
/// Backends that know their tokenizer expose it through <c>IChatClient.GetService&lt;ITokenCounter&gt;()</c>.
/// </summary>
public interface ITokenCounter
{
    /// <summary>The model's context window in tokens.</summary>
    int ContextLength { get; }

    /// <summary>Tokens that this chat would take once the model's chat template is applied.</summary>
    int CountChatTokens(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages);
}
