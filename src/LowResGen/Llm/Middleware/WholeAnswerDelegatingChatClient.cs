using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// Base of middleware that works on whole answers (retry, cache, accounting): streaming requests are served by
/// <see cref="DelegatingChatClient.GetResponseAsync"/> and replayed as updates, so streaming callers get the same guarantees.
/// </summary>
public abstract class WholeAnswerDelegatingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WholeAnswerStreaming.ReplayAsync(() => GetResponseAsync(messages, options, cancellationToken));
}
