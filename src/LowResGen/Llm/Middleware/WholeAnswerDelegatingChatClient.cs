using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// Base of middleware that works on whole answers (retry, cache, accounting): streaming requests are served by
/// <see cref="DelegatingChatClient.GetResponseAsync"/> and replayed as updates, so streaming callers get the same guarantees.
/// Log-probability scoring goes through the same layers: asked for an <see cref="ICompletionScorer"/>, a layer returns the
/// inner client's scorer wrapped by <see cref="WrapScorer"/> (null when the backend has no scorer).
/// </summary>
public abstract class WholeAnswerDelegatingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WholeAnswerStreaming.ReplayAsync(() => GetResponseAsync(messages, options, cancellationToken));

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ICompletionScorer)
            ? InnerClient.GetService<ICompletionScorer>() is { } inner ? WrapScorer(inner) : null
            : base.GetService(serviceType, serviceKey);

    /// <summary>The inner scorer with this layer's concern added; a layer with nothing to add for scoring passes it on.</summary>
    protected virtual ICompletionScorer WrapScorer(ICompletionScorer inner) => inner;
}
