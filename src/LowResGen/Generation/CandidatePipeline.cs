namespace LowResGen.Generation;

/// <summary>
/// The named filters a class's candidates pass, in order. The cheap filters see every candidate; then the quota decides:
/// only as many survivors as the class still needs go on to the costly filters (the judge), in rounds until enough passed,
/// and the rest are rejected at the <see cref="GenerationStages.Surplus"/> stage, unjudged.
/// </summary>
public sealed class CandidatePipeline(IReadOnlyList<ICandidateFilter> beforeQuota, IReadOnlyList<ICandidateFilter> afterQuota)
{
    /// <summary>The stages in the order a candidate meets them.</summary>
    public IEnumerable<string> Stages =>
        beforeQuota.Select(f => f.Stage).Append(GenerationStages.Surplus).Concat(afterQuota.Select(f => f.Stage));

    /// <summary>Replays an earlier run's record into every filter it reached (a duplicate check remembers its text).</summary>
    public void Remember(GeneratedExampleRecord earlier)
    {
        foreach (var filter in beforeQuota.Concat(afterQuota))
        {
            if (earlier.RejectionStage == GenerationStages.Surplus && afterQuota.Contains(filter))
            {
                return;
            }

            filter.Remember(earlier);
            if (earlier.RejectionStage == filter.Stage)
            {
                return;
            }
        }
    }

    /// <summary>Every candidate's final record (accepted or rejected at one stage), in item order.</summary>
    public async Task<IReadOnlyList<GeneratedExampleRecord>> RunAsync(IReadOnlyList<Candidate> candidates, int needed,
        CancellationToken cancellationToken)
    {
        var done = new List<GeneratedExampleRecord>();
        var survivors = await ThroughAsync(beforeQuota, candidates, done, cancellationToken).ConfigureAwait(false);
        var next = 0;
        var accepted = 0;
        while (next < survivors.Count && accepted < needed)
        {
            var round = survivors.Skip(next).Take(needed - accepted).ToArray();
            next += round.Length;
            var passed = await ThroughAsync(afterQuota, round, done, cancellationToken).ConfigureAwait(false);
            done.AddRange(passed.Select(c => c.Record with { Accepted = true }));
            accepted += passed.Count;
        }

        done.AddRange(survivors.Skip(next).Select(c => c.Reject(GenerationStages.Surplus, "the class already had its quota").Record));
        done.Sort((a, b) => a.Item.CompareTo(b.Item));
        return done;
    }

    private static async Task<IReadOnlyList<Candidate>> ThroughAsync(IReadOnlyList<ICandidateFilter> filters, IReadOnlyList<Candidate> candidates,
        List<GeneratedExampleRecord> rejected, CancellationToken cancellationToken)
    {
        var current = candidates;
        foreach (var filter in filters)
        {
            if (current.Count == 0)
            {
                break;
            }

            var filtered = await filter.FilterAsync(current, cancellationToken).ConfigureAwait(false);
            rejected.AddRange(filtered.Where(c => c.Rejected).Select(c => c.Record));
            current = [.. filtered.Where(c => !c.Rejected)];
        }

        return current;
    }
}
