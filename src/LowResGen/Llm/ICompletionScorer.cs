using Microsoft.Extensions.AI;

namespace LowResGen.Llm;

/// <summary>
/// Scores candidate answers by the model's log-probability of each one as the assistant's reply to a chat.
/// Backends that expose token probabilities offer it through <c>IChatClient.GetService&lt;ICompletionScorer&gt;()</c>;
/// classifying by score needs no parsing of free text.
/// </summary>
public interface ICompletionScorer
{
    /// <summary>Sum of token log-probabilities of each candidate, in the candidates' order.</summary>
    Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken);
}
