using System.Globalization;
using LowResGen.Common;

namespace LowResGen.Generation;

/// <summary>A text proposed for a class, on its way through the filters: its record so far and what parsing found wrong.</summary>
public sealed record Candidate(GeneratedExampleRecord Record, string? ParseProblem = null)
{
    public bool Rejected => Record.RejectionStage is not null;

    public Candidate Reject(string stage, string reason) =>
        this with { Record = Record with { Accepted = false, RejectionStage = stage, RejectionReason = reason } };
}

/// <summary>
/// One named stage of the candidate pipeline. It returns every candidate it was given, in order, each either passed on
/// (possibly annotated) or rejected with its stage and a reason. Generation, translation and any other candidate source
/// use the same filters, so a stage means the same thing, and is counted the same way, whatever made the candidate.
/// </summary>
public interface ICandidateFilter
{
    /// <summary>The stage name, one of <see cref="GenerationStages.InOrder"/>.</summary>
    string Stage { get; }

    Task<IReadOnlyList<Candidate>> FilterAsync(IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken);

    /// <summary>Sees a record of an earlier run that reached this stage, so a resumed run's state is what it was.</summary>
    void Remember(GeneratedExampleRecord earlier)
    {
    }
}

/// <summary>Rejects what the answer parser found not to be an example (preambles, comments, the line cut by the token limit).</summary>
public sealed class ParseFilter : ICandidateFilter
{
    public string Stage => GenerationStages.Parse;

    public Task<IReadOnlyList<Candidate>> FilterAsync(IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candidate>>([.. candidates.Select(c => c.ParseProblem is { } problem ? c.Reject(Stage, problem) : c)]);
}

/// <summary>Rejects texts outside the length range (the one length rule, <see cref="LengthRange"/>).</summary>
public sealed class LengthFilter(LengthRange range) : ICandidateFilter
{
    public string Stage => GenerationStages.Length;

    public Task<IReadOnlyList<Candidate>> FilterAsync(IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candidate>>([.. candidates.Select(c => range.Problem(c.Record.Text) is { } problem ? c.Reject(Stage, problem) : c)]);
}

/// <summary>Rejects exact and normalized repeats of any text of the class that reached this stage, in this run or an earlier one.</summary>
public sealed class DuplicateFilter : ICandidateFilter
{
    private readonly DuplicateTracker _tracker = new();

    public string Stage => GenerationStages.Duplicate;

    public Task<IReadOnlyList<Candidate>> FilterAsync(IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candidate>>([.. candidates.Select(c => _tracker.Check(c.Record.Text) is { } reason ? c.Reject(Stage, reason) : c)]);

    public void Remember(GeneratedExampleRecord earlier) => _tracker.Check(earlier.Text);
}

/// <summary>
/// The target language's <see cref="LanguageCheck"/> (Lingua, or the script check for languages Lingua does not know):
/// rejects texts in another language or script, and control characters or U+FFFD always; records what it detected.
/// </summary>
public sealed class LanguageFilter(LanguageCheck check) : ICandidateFilter
{
    public string Stage => GenerationStages.Language;

    public Task<IReadOnlyList<Candidate>> FilterAsync(IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candidate>>([.. candidates.Select(Check)]);

    private Candidate Check(Candidate candidate)
    {
        var verdict = check.Check(candidate.Record.Text);
        var checkedCandidate = check.Method == "none" ? candidate : candidate with
        {
            Record = candidate.Record with { DetectedLanguage = verdict.Detected, LanguageConfidence = verdict.Confidence },
        };
        return verdict.Accepted ? checkedCandidate : checkedCandidate.Reject(Stage, verdict.Reason!);
    }
}

/// <summary>The revision step as a filter: the LLM judge reads each candidate (concurrently) and says yes or no, with a reason.</summary>
public sealed class JudgeFilter(RevisionJudge judge, LabelContext label) : ICandidateFilter
{
    public string Stage => GenerationStages.Judge;

    public async Task<IReadOnlyList<Candidate>> FilterAsync(IReadOnlyList<Candidate> candidates, CancellationToken cancellationToken)
    {
        var verdicts = await Task.WhenAll(candidates.Select(c => judge.JudgeAsync(label, c.Record.Text, cancellationToken))).ConfigureAwait(false);
        return [.. candidates.Select((c, i) =>
        {
            var verdict = verdicts[i];
            var judged = c with
            {
                Record = c.Record with
                {
                    JudgeVerdict = verdict.Understood ? (verdict.Accepted ? "yes" : "no") : "unclear",
                    JudgeReason = verdict.Reason,
                    JudgeTemplateVersion = judge.Template.Version,
                    JudgeTokens = verdict.Tokens,
                },
            };
            return verdict.Accepted ? judged : judged.Reject(Stage, verdict.Reason);
        })];
    }
}

/// <summary>
/// Remembers the texts of one class and tells exact and normalized duplicates apart (<see cref="TextNormalizer.Key"/>:
/// case, punctuation, spacing and Unicode compatibility forms ignored), across all attempts, including texts rejected at
/// later stages. Not thread-safe: one class is processed by one task at a time.
/// </summary>
public sealed class DuplicateTracker
{
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly HashSet<string> _normalized = new(StringComparer.Ordinal);

    /// <summary>Null when new (and now remembered); otherwise why it is a duplicate.</summary>
    public string? Check(string text)
    {
        if (!_exact.Add(text))
        {
            return "exact duplicate";
        }

        return _normalized.Add(Normalize(text)) ? null : "normalized duplicate";
    }

    public static string Normalize(string text) => TextNormalizer.Key(text);
}
