using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// Sums the tokens of the answers that pass through (the usage each answer reports, cached answers included, so a replayed
/// run reports what the original one spent). For callers that need the tokens of one piece of work, such as a study cell,
/// on a client other work shares. Dispose only what it wraps is yours to dispose.
/// </summary>
public sealed class TokenCountingChatClient(IChatClient innerClient) : WholeAnswerDelegatingChatClient(innerClient)
{
    private long _tokens;
    private long _calls;

    public long Tokens => Interlocked.Read(ref _tokens);

    /// <summary>Answers that passed through (cached ones included, like the tokens).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _calls);
        if (response.Usage is { } usage)
        {
            Interlocked.Add(ref _tokens, usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0)));
        }

        return response;
    }
}
