using System.Collections;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm;

/// <summary>
/// Scores candidate answers by the model's log-probability of each one as the assistant's reply to a chat.
/// Backends that expose token probabilities offer it through <c>IChatClient.GetService&lt;ICompletionScorer&gt;()</c>;
/// classifying by score needs no parsing of free text. Asked of a middleware stack, it is the backend's scorer wrapped by
/// each layer (cache, usage, logging, retry, …), so scoring is cached and counted like chat; null when the backend has none.
/// </summary>
public interface ICompletionScorer
{
    /// <summary>
    /// Sum of token log-probabilities of each candidate, in the candidates' order. Backends and middleware may return a
    /// <see cref="CompletionScores"/> to say how the scores came about (tokens read, cache hit, attempts).
    /// </summary>
    Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken);
}

/// <summary>
/// Log-probabilities plus what a <see cref="ChatResponse"/> carries besides its text: the tokens the backend read
/// (<see cref="Usage"/>) and annotations of the middleware (<see cref="ResponseAnnotations"/>: cache hit, attempts).
/// </summary>
public sealed class CompletionScores(IReadOnlyList<double> values) : IReadOnlyList<double>
{
    public UsageDetails? Usage { get; init; }

    public AdditionalPropertiesDictionary? AdditionalProperties { get; set; }

    public int Count => values.Count;

    public double this[int index] => values[index];

    /// <summary><paramref name="scores"/> itself when it is one, else a new one around it (to annotate).</summary>
    public static CompletionScores Of(IReadOnlyList<double> scores) => scores as CompletionScores ?? new CompletionScores(scores);

    public IEnumerator<double> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
