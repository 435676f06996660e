using System.Collections.Concurrent;
using System.Diagnostics;
using LowResGen.Evaluation.Metrics;

namespace LowResGen.Experiments;

/// <summary>
/// What a cell produced: scores over seeds (evaluation cells), a file or folder it wrote, LLM tokens spent, and the
/// examples per class it accepted or trained on against what was asked.
/// </summary>
public sealed record CellOutcome(IReadOnlyList<SeedScore> Scores, string? ArtifactPath, long LlmTokens = 0, ClassCounts? Counts = null)
{
    /// <summary>LLM requests the cell's result took (generation attempts, judge verdicts, label descriptions, classifications).</summary>
    public long LlmCalls { get; init; }
}

/// <summary>Everything a cell needs besides itself and the study its executor holds: its own folder, and the outcome of the cell it depends on.</summary>
public sealed record CellContext(string CellDirectory, CellRecord? Upstream);

/// <summary>Does the work of one cell. The work must persist as it goes and resume from its folder after a crash.</summary>
public interface IStudyCellExecutor
{
    Task<CellOutcome> ExecuteAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken);
}

/// <summary>A snapshot of a run's progress, for live displays and log lines.</summary>
/// <param name="CellsShort">Finished cells (this run's and earlier ones) that fell short of their per-class counts.</param>
public sealed record StudyProgress(int CellsTotal, int CellsDone, int CellsSkipped, int CellsFailed, long LlmTokens, TimeSpan Elapsed, string? LastCell,
    int CellsShort = 0)
{
    public TimeSpan? EstimatedRemaining
    {
        get
        {
            var ran = CellsDone + CellsFailed;
            var left = CellsTotal - CellsDone - CellsSkipped - CellsFailed;
            return ran == 0 ? null : TimeSpan.FromSeconds(Elapsed.TotalSeconds / ran * left);
        }
    }
}

/// <summary>A cell that failed, with the reason; the rest of the study goes on.</summary>
public sealed record CellFailure(StudyCell Cell, string Error);

/// <summary>A finished generation cell with a class below per_class after its attempt limit.</summary>
public sealed record CellShortfall(StudyCell Cell, ClassCounts Counts);

public sealed record StudyRunResult(int Ran, int Skipped, IReadOnlyList<CellFailure> Failures)
{
    /// <summary>The run's generation cells (this run's and earlier ones) that ended below their quota.</summary>
    public IReadOnlyList<CellShortfall> Shortfalls { get; init; } = [];
}

/// <summary>
/// Runs a study's cells: chains concurrently (so one LLM scheduler sees the load of all cells at once), the cells of a
/// chain in order, finished cells skipped by key. A cell is recorded in the store only when it has finished.
/// </summary>
public sealed class StudyRunner(StudyStore store, IStudyCellExecutor executor, IProgress<StudyProgress>? progress = null)
{
    public int MaxConcurrentChains { get; init; } = 16;

    public static string CellDirectory(StudyDefinition study, StudyCell cell) =>
        Path.Combine(study.OutputDirectory, "cells", $"{cell.Name}-{cell.Key[..8]}");

    public async Task<StudyRunResult> RunAsync(StudyDefinition study, IReadOnlyList<StudyCell> cells, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var done = 0;
        var skipped = 0;
        long tokens = 0;
        var failures = new ConcurrentBag<CellFailure>();
        string? last = null;
        var shortCells = 0;

        void Report() => progress?.Report(new StudyProgress(cells.Count, done, skipped, failures.Count, Interlocked.Read(ref tokens), clock.Elapsed, last,
            Volatile.Read(ref shortCells)));

        var byKey = new ConcurrentDictionary<string, CellRecord>(StringComparer.Ordinal);
        foreach (var record in await store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            byKey[record.Key] = record;
        }

        Report();
        var chains = cells.GroupBy(c => c.Chain, StringComparer.Ordinal).Select(g => g.ToArray()).ToArray();
        await Parallel.ForEachAsync(chains, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentChains, CancellationToken = cancellationToken },
            async (chain, ct) =>
            {
                foreach (var cell in chain)
                {
                    if (byKey.TryGetValue(cell.Key, out var finished))
                    {
                        Interlocked.Increment(ref skipped);
                        if (finished.IsShort)
                        {
                            Interlocked.Increment(ref shortCells);
                        }

                        Report();
                        continue;
                    }

                    CellRecord? upstream = null;
                    if (cell.DependsOn is { } dependency && !byKey.TryGetValue(dependency, out upstream))
                    {
                        failures.Add(new CellFailure(cell, $"depends on cell {dependency[..8]}, which did not finish"));
                        Report();
                        continue;
                    }

                    var directory = CellDirectory(study, cell);
                    Directory.CreateDirectory(directory);

                    // The cell is this run's (the store lock is held): what a killed writer left half-written goes first.
                    LowResGen.Common.AtomicFile.RemoveLeftovers(directory);
                    var started = Stopwatch.StartNew();
                    try
                    {
                        var outcome = await executor.ExecuteAsync(cell, new CellContext(directory, upstream), ct).ConfigureAwait(false);
                        var record = new CellRecord(cell.Key, cell.Kind, cell.Task, cell.Language, cell.Model, cell.Strategy, cell.Setting,
                            outcome.Scores, outcome.ArtifactPath, outcome.LlmTokens, started.Elapsed.TotalSeconds,
                            DateTimeOffset.UtcNow, outcome.Counts)
                        {
                            PerClass = cell.PerClass,
                            Student = cell.Student,
                            LlmCalls = outcome.LlmCalls,
                        };
                        await store.RecordAsync(record, ct).ConfigureAwait(false);
                        byKey[cell.Key] = record;
                        Interlocked.Add(ref tokens, outcome.LlmTokens);
                        Interlocked.Increment(ref done);
                        if (record.IsShort)
                        {
                            Interlocked.Increment(ref shortCells);
                        }

                        last = record.IsShort ? $"{cell.Name} (short: {record.Counts!.Describe()} per class)" : cell.Name;
                    }
                    catch (Exception error) when (error is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        failures.Add(new CellFailure(cell, error.Message));
                    }

                    Report();
                }
            }).ConfigureAwait(false);

        return new StudyRunResult(done, skipped, [.. failures.OrderBy(f => f.Cell.Name, StringComparer.Ordinal)])
        {
            Shortfalls = [.. cells.Where(c => c.Kind == CellKind.Generate)
                .Select(c => byKey.TryGetValue(c.Key, out var r) && r.IsShort ? new CellShortfall(c, r.Counts!) : null)
                .OfType<CellShortfall>().OrderBy(s => s.Cell.Name, StringComparer.Ordinal)],
        };
    }
}
