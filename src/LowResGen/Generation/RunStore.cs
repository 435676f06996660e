using LowResGen.Common;
using LowResGen.Data;

namespace LowResGen.Generation;

/// <summary>
/// Where a run persists as it goes: the manifest a rerun must match, the attempts and examples JSONL logs (appended as the
/// run goes, read back to resume), the label descriptions and the derived files written at the end. Without an output
/// directory it keeps nothing and every run starts fresh.
/// </summary>
public sealed class RunStore : IDisposable
{
    private readonly JsonlLog<GeneratedExampleRecord>? _examples;
    private readonly JsonlLog<GenerationAttemptRecord>? _attempts;
    private readonly RunLock? _lock;

    private RunStore(GenerationOutputs? paths, bool resumed, IReadOnlyList<GeneratedExampleRecord> records,
        IReadOnlyList<GenerationAttemptRecord> attempts, RunLock? runLock = null)
    {
        _lock = runLock;
        Paths = paths;
        Resumed = resumed;
        PreviousRecords = records;
        PreviousAttempts = attempts;
        if (paths is not null)
        {
            _examples = new JsonlLog<GeneratedExampleRecord>(paths.Examples);
            _attempts = new JsonlLog<GenerationAttemptRecord>(paths.Attempts);
        }
    }

    public GenerationOutputs? Paths { get; }

    /// <summary>An earlier run with the same settings was found and is being continued.</summary>
    public bool Resumed { get; }

    public IReadOnlyList<GeneratedExampleRecord> PreviousRecords { get; }

    public IReadOnlyList<GenerationAttemptRecord> PreviousAttempts { get; }

    /// <summary>Opens the store of a run: checks (or writes) the manifest and reads what an earlier run recorded.</summary>
    public static async Task<RunStore> OpenAsync(string? directory, RunManifest manifest, CancellationToken cancellationToken)
    {
        if (directory is null)
        {
            return new RunStore(null, false, [], []);
        }

        Directory.CreateDirectory(directory);
        // One run per output and language at a time (two would interleave the logs): a second fails at once naming the holder.
        var runLock = await RunLock.AcquireAsync(Path.Combine(directory, $".{manifest.Language}.lock"), wait: false, cancellationToken,
            whatToDo: "wait for it to finish, or write to another --output").ConfigureAwait(false);
        try
        {
            AtomicFile.RemoveLeftovers(directory); // this run owns its folder: half-written files of a killed one go
            var paths = new GenerationOutputs(directory, manifest.Language);
            var resumed = await RunManifest.CheckOrWriteAsync(paths.Manifest, manifest, cancellationToken).ConfigureAwait(false);
            // This run appends to the logs: it, and only it, repairs what a crash left at their ends.
            var records = await JsonlLog.ReadForAppendAsync<GeneratedExampleRecord>(paths.Examples, cancellationToken).ConfigureAwait(false);
            var attempts = await JsonlLog.ReadForAppendAsync<GenerationAttemptRecord>(paths.Attempts, cancellationToken).ConfigureAwait(false);
            return new RunStore(paths, resumed, records, attempts, runLock);
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    // The answer is paid for, and the records are decided: persist them even while a sibling class's failure cancels this one.
    public Task AppendAttemptAsync(GenerationAttemptRecord attempt) =>
        _attempts?.AppendAsync([attempt], CancellationToken.None) ?? Task.CompletedTask;

    public Task AppendRecordsAsync(IReadOnlyList<GeneratedExampleRecord> records) =>
        _examples?.AppendAsync(records, CancellationToken.None) ?? Task.CompletedTask;

    /// <summary>The label descriptions stored by an earlier run.</summary>
    public async Task<IReadOnlyList<LabelDescription>> StoredDescriptionsAsync(CancellationToken cancellationToken) =>
        Paths is { } paths && File.Exists(paths.Descriptions)
            ? await LabelDescriptionStore.ReadAsync(paths.Descriptions, cancellationToken).ConfigureAwait(false)
            : [];

    public Task WriteDescriptionsAsync(IEnumerable<LabelDescription> descriptions, CancellationToken cancellationToken) =>
        Paths is { } paths ? LabelDescriptionStore.WriteAsync(paths.Descriptions, descriptions, cancellationToken) : Task.CompletedTask;

    /// <summary>Writes the derived files (training set, rejected set, report) atomically.</summary>
    public Task WriteOutputsAsync(IReadOnlyList<Example> accepted, IReadOnlyList<GeneratedExampleRecord> records, GenerationReport report,
        CancellationToken cancellationToken, string labelColumn = Data.Import.CsvWriteOptions.DefaultLabelColumn) =>
        Paths is { } paths
            ? GenerationOutputs.WriteAsync(paths.Directory, paths.Language, accepted, records, report, cancellationToken, labelColumn)
            : Task.CompletedTask;

    public void Dispose()
    {
        _examples?.Dispose();
        _attempts?.Dispose();
        _lock?.Dispose();
    }
}
