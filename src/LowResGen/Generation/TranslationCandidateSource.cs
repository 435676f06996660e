using System.Globalization;
using LowResGen.Common;
using LowResGen.Data;
using Microsoft.Extensions.AI;

namespace LowResGen.Generation;

/// <summary>
/// The translate source: an attempt asks the model to translate a batch of the label's English gold training examples
/// into the target language, and each translation becomes a candidate that names its source example. The English
/// examples of a label are shuffled once with the run's seed; attempt a translates the a-th batch of that order (wrapping
/// round when the label has fewer examples than the quota needs, so later attempts translate them again with another
/// sample, and the duplicate filter keeps only new wordings).
/// </summary>
public sealed class TranslationCandidateSource : ICandidateSource
{
    private readonly IChatClient _client;
    private readonly RunIdentity _identity;
    private readonly PromptTemplate _template;
    private readonly GenerationOptions _options;
    private readonly Dictionary<string, Example[]> _byLabel;

    public TranslationCandidateSource(IChatClient client, RunIdentity identity, PromptTemplate template, GenerationOptions options,
        IReadOnlyList<Example> english)
    {
        _client = client;
        _identity = identity;
        _template = template;
        _options = options;
        _byLabel = english.GroupBy(e => e.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g =>
        {
            var examples = g.ToArray();
            new Random(StableSeed.Of(options.Seed, g.Key, 0, "translate")).Shuffle(examples);
            return examples;
        }, StringComparer.Ordinal);
    }

    /// <summary>The English examples attempt <paramref name="attempt"/> of <paramref name="label"/> translates.</summary>
    public IReadOnlyList<Example> SourcesOf(string label, int attempt, int count)
    {
        if (!_byLabel.TryGetValue(label, out var pool) || pool.Length == 0)
        {
            throw new InvalidOperationException($"Cannot translate '{label}': the English training data has no example of it.");
        }

        // Batches start at a fixed stride, so an attempt's sources do not depend on how many earlier attempts asked for.
        var stride = _options.BatchSize + _options.ExtraPerRequest;
        return [.. Enumerable.Range(0, Math.Min(count, pool.Length)).Select(i => pool[(attempt * stride + i) % pool.Length])];
    }

    public async Task<GenerationAttemptRecord> AskAsync(ClassPlan plan, int attempt, int count, CancellationToken cancellationToken)
    {
        var sources = SourcesOf(plan.Label.Label, attempt, count + _options.ExtraPerRequest);
        var values = new Dictionary<string, string>
        {
            ["count"] = sources.Count.ToString(CultureInfo.InvariantCulture),
            ["language"] = plan.Label.LanguageName,
            ["label"] = plan.Label.Label,
            ["label_kind"] = plan.Label.LabelKind,
            ["task"] = plan.Label.Task,
            ["sources"] = string.Join('\n', sources.Select((s, i) => $"{i + 1}. {s.Text.ReplaceLineEndings(" ")}")),
        };
        ChatMessage[] messages =
        [
            new(ChatRole.System, _template.Render("system", values)),
            new(ChatRole.User, _template.Render("user", values)),
        ];
        var hash = ContentHash.Of(string.Join("\u001e", messages.Select(m => $"{m.Role}\u001f{m.Text}")), 16);
        var sampling = PromptedCandidateSource.Sampling(_options, plan.Label.Label, attempt);
        var response = await _client.GetResponseAsync(messages, PromptedCandidateSource.ChatOptionsOf(sampling), cancellationToken).ConfigureAwait(false);
        return new GenerationAttemptRecord(plan.Label.Label, attempt, hash, sources.Count, [], 0, sampling, response.Text, response.FinishReason?.Value,
            LlmCalls.TokensOf(response, messages, response.Text), DateTimeOffset.UtcNow, [.. sources.Select(s => s.Id)]);
    }

    /// <summary>
    /// The answer's items, the n-th example item translating the n-th source. When the answer holds another number of
    /// examples than sources were sent, the pairing is unknown and no source is named (the candidates are still filtered).
    /// </summary>
    public IReadOnlyList<Candidate> CandidatesOf(ClassPlan plan, GenerationAttemptRecord attempt)
    {
        var items = GeneratedTextParser.Parse(attempt.RawAnswer, attempt.FinishReason == ChatFinishReason.Length.Value);
        var sources = attempt.SourceExampleIds ?? [];
        var aligned = items.Count(i => i.IsCandidate) == sources.Count;
        var candidates = new List<Candidate>(items.Count);
        var next = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var record = _identity.NewRecord(plan, attempt, i, items[i].Text);
            if (items[i].IsCandidate)
            {
                record = record with { SourceExampleId = aligned ? sources[next] : null };
                next++;
            }

            candidates.Add(new Candidate(record, items[i].Problem));
        }

        return candidates;
    }
}
