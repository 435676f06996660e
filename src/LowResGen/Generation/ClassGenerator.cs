using LowResGen.Data;
using LowResGen.Llm;

namespace LowResGen.Generation;

/// <summary>
/// Fills one class: asks its candidate source for candidates in waves (several requests at once, each asking for the
/// batch the quota still needs), passes each answer through the candidate pipeline, records everything in the run store,
/// and stops at the quota or the attempt limit. A resumed class first replays what the store holds for it.
/// </summary>
public sealed class ClassGenerator
{
    private readonly ClassPlan _plan;
    private readonly ICandidateSource _source;
    private readonly CandidatePipeline _pipeline;
    private readonly RunStore _store;
    private readonly List<GeneratedExampleRecord> _records = [];
    private readonly List<GenerationAttemptRecord> _attempts = [];
    private readonly IReadOnlyList<GenerationAttemptRecord> _unprocessed;
    private int _failedAttempts;
    private LlmRequestException? _lastFailure;

    public ClassGenerator(ClassPlan plan, int quota, int maxAttempts, ICandidateSource source, CandidatePipeline pipeline, RunStore store)
    {
        _plan = plan;
        Quota = quota;
        MaxAttempts = maxAttempts;
        _source = source;
        _pipeline = pipeline;
        _store = store;
        foreach (var record in store.PreviousRecords.Where(r => r.Label == Label).OrderBy(r => r.Attempt).ThenBy(r => r.Item))
        {
            pipeline.Remember(record);
            _records.Add(record);
        }

        // Attempts answered before a crash but not (fully) processed: their answers are on disk, so they are processed first.
        _unprocessed = [.. store.PreviousAttempts.Where(a => a.Label == Label).OrderBy(a => a.Attempt)];
        _attempts.AddRange(_unprocessed);
        NextAttempt = _attempts.Select(a => a.Attempt + 1).Concat(_records.Select(r => r.Attempt + 1)).DefaultIfEmpty(0).Max();
    }

    public string Label => _plan.Label.Label;

    public int Quota { get; }

    public int MaxAttempts { get; }

    public int NextAttempt { get; private set; }

    public int AcceptedCount => _records.Count(r => r.Accepted);

    public IReadOnlyList<GeneratedExampleRecord> Records => _records;

    public async Task RunAsync(int batchSize, int maxConcurrentAttempts, CancellationToken cancellationToken)
    {
        foreach (var attempt in _unprocessed)
        {
            await ProcessAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        while (AcceptedCount < Quota && NextAttempt < MaxAttempts)
        {
            var remaining = Quota - AcceptedCount;
            var wave = Math.Min(Math.Min((int)Math.Ceiling(remaining / (double)batchSize), Math.Max(1, maxConcurrentAttempts)), MaxAttempts - NextAttempt);
            var first = NextAttempt;
            NextAttempt += wave;
            var answers = await Task.WhenAll(Enumerable.Range(0, wave).Select(i =>
                AskAsync(first + i, Math.Min(batchSize, Math.Max(1, remaining - i * batchSize)), cancellationToken))).ConfigureAwait(false);
            foreach (var attempt in answers.OfType<GenerationAttemptRecord>())
            {
                await ProcessAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        if (AcceptedCount < Quota && _lastFailure is { } failure)
        {
            // Requests failed and the class could not make up for them within its attempt budget: the quota cannot be met.
            throw new LlmRequestException(
                $"Class '{Label}': {AcceptedCount} of {Quota} examples after {NextAttempt} attempts, {_failedAttempts} of which failed; last: {failure.Message}",
                failure.Kind, failure.Endpoint, failure.StatusCode, innerException: failure);
        }
    }

    /// <summary>Attempts whose request failed after its retries (not answered; they count against the attempt limit).</summary>
    public int FailedAttempts => _failedAttempts;

    private async Task<GenerationAttemptRecord?> AskAsync(int attempt, int count, CancellationToken cancellationToken)
    {
        GenerationAttemptRecord record;
        try
        {
            record = await _source.AskAsync(_plan, attempt, count, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmRequestException e) when (e.IsTransient && !e.Unreachable && !cancellationToken.IsCancellationRequested)
        {
            // One request that exhausted its retries is one failed attempt, not a failed run: the class asks again.
            Interlocked.Increment(ref _failedAttempts);
            _lastFailure = e;
            return null;
        }

        await _store.AppendAttemptAsync(record).ConfigureAwait(false);
        lock (_attempts)
        {
            _attempts.Add(record);
        }

        return record;
    }

    private async Task ProcessAsync(GenerationAttemptRecord attempt, CancellationToken cancellationToken)
    {
        var recorded = _records.Where(r => r.Attempt == attempt.Attempt).Select(r => r.Item).ToHashSet();
        var candidates = _source.CandidatesOf(_plan, attempt).Where(c => !recorded.Contains(c.Record.Item)).ToArray();
        var records = await _pipeline.RunAsync(candidates, Quota - AcceptedCount, cancellationToken).ConfigureAwait(false);
        await _store.AppendRecordsAsync(records).ConfigureAwait(false);
        _records.AddRange(records);
    }

    /// <summary>The accepted examples, at most the quota (a rerun with a smaller quota keeps the earliest).</summary>
    public IEnumerable<Example> AcceptedExamples() =>
        _records.Where(r => r.Accepted).OrderBy(r => r.Attempt).ThenBy(r => r.Item).Take(Quota)
            .Select(r => new Example(r.Id, r.Text, r.Label, r.Language, Splits.Generated, $"lowresgen:{r.Strategy}:{r.Model}"));

    /// <summary>The acceptance table of the class; tokens are every answer's plus every judgement's.</summary>
    public ClassReport Report() =>
        ClassReport.From(Label, Quota, NextAttempt, AcceptedCount < Quota && NextAttempt >= MaxAttempts, _records,
            _attempts.Sum(a => a.Tokens) + _records.Sum(r => r.JudgeTokens));
}
