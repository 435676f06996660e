using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// Sums the tokens of the answers that pass through (the usage each answer reports, cached answers included, so a replayed
/// run reports what the original one spent). For callers that need the tokens of one piece of work, such as a study cell,
/// on a client other work shares. Log-probability scoring counts too: one call per score vector, and the tokens
/// <see cref="ScoringUsage.InputTokens"/> finds. Dispose only what it wraps is yours to dispose.
/// </summary>
public sealed class TokenCountingChatClient(IChatClient innerClient) : WholeAnswerDelegatingChatClient(innerClient)
{
    private long _tokens;
    private long _calls;

    public long Tokens => Interlocked.Read(ref _tokens);

    /// <summary>Answers and score vectors that passed through (cached ones included, like the tokens).</summary>
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

    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new CountingScorer(this, inner, InnerClient.GetService<ITokenCounter>());

    private sealed class CountingScorer(TokenCountingChatClient owner, ICompletionScorer inner, ITokenCounter? counter) : ICompletionScorer
    {
        public async Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
        {
            var scores = await inner.ScoreAsync(messages, candidates, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref owner._calls);
            Interlocked.Add(ref owner._tokens, ScoringUsage.InputTokens(scores, messages, counter));
            return scores;
        }
    }
}

/// <summary>What a scoring call counts as usage: it reads tokens and writes none.</summary>
internal static class ScoringUsage
{
    /// <summary>
    /// The tokens the backend reports having read (embedded: the prompt plus every candidate's tokens), else the prompt's
    /// tokens by the model's own <see cref="ITokenCounter"/>, else 0 (nothing can count them).
    /// </summary>
    public static long InputTokens(IReadOnlyList<double> scores, IReadOnlyList<ChatMessage> messages, ITokenCounter? counter) =>
        (scores as CompletionScores)?.Usage?.InputTokenCount ?? counter?.CountChatTokens(messages) ?? 0;
}
