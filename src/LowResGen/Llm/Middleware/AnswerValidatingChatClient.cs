using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// Turns answers that carry nothing usable into failed attempts: no assistant message (no choices), null or empty content
/// (whitespace only), or a <c>content_filter</c> finish. They throw <see cref="LlmFailureKind.InvalidAnswer"/>, which is
/// transient, so the retry middleware above asks again with backoff, the cache above never stores them and usage counts
/// them as failures. Sits below retry, so every backend (served or embedded) gets the same rule. Score vectors of the wrong
/// length or with a NaN fail the same way.
/// </summary>
public sealed class AnswerValidatingChatClient(IChatClient innerClient) : WholeAnswerDelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (Problem(response) is { } problem)
        {
            var model = this.GetService<ChatClientMetadata>()?.DefaultModelId ?? response.ModelId ?? "unknown model";
            throw new LlmRequestException($"Unusable answer from {model}: {problem}.", LlmFailureKind.InvalidAnswer, model);
        }

        return response;
    }

    /// <summary>A score vector needs one number per candidate, none of them NaN.</summary>
    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new ValidatingScorer(this, inner);

    /// <summary>Why <paramref name="response"/> cannot be used, or null when it can.</summary>
    public static string? Problem(ChatResponse response)
    {
        if (response.FinishReason == ChatFinishReason.ContentFilter)
        {
            return "the content filter stopped it";
        }

        var answers = response.Messages.Where(m => m.Role == ChatRole.Assistant).ToArray();
        if (answers.Length == 0)
        {
            return "no choices";
        }

        return answers.Any(a => string.IsNullOrWhiteSpace(a.Text)) ? "null or empty content" : null;
    }

    private sealed class ValidatingScorer(AnswerValidatingChatClient owner, ICompletionScorer inner) : ICompletionScorer
    {
        public async Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
        {
            var scores = await inner.ScoreAsync(messages, candidates, cancellationToken).ConfigureAwait(false);
            var problem = scores.Count != candidates.Count ? $"{scores.Count} scores for {candidates.Count} candidates"
                : scores.Any(double.IsNaN) ? "a score is not a number"
                : null;
            if (problem is not null)
            {
                var model = owner.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown model";
                throw new LlmRequestException($"Unusable scores from {model}: {problem}.", LlmFailureKind.InvalidAnswer, model);
            }

            return scores;
        }
    }
}
