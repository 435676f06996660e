using LowResGen.Common;
using LowResGen.Data;

namespace LowResGen.Experiments;

/// <summary>A cell as `study plan` shows it: the cell, whether it is done, and the LLM calls it is expected to make.</summary>
public sealed record PlannedCell(StudyCell Cell, bool Done, int EstimatedLlmCalls);

/// <summary>The cells of one kind and model in a plan: how many, how many done, and the LLM calls the others need.</summary>
public sealed record PlanSummaryRow(CellKind Kind, string? Model, int Cells, int Done, int EstimatedLlmCallsLeft);

/// <summary>The plan of a study (or of one shard of it), and the data files its cells read that do not exist.</summary>
public sealed record StudyPlan(IReadOnlyList<PlannedCell> Cells, IReadOnlyList<string> MissingFiles)
{
    public StudyPlan(IReadOnlyList<PlannedCell> cells)
        : this(cells, [])
    {
    }

    public int Done => Cells.Count(c => c.Done);

    public int EstimatedLlmCallsLeft => Cells.Where(c => !c.Done).Sum(c => c.EstimatedLlmCalls);

    /// <summary>One row per cell kind and model, in the order cells appear.</summary>
    public IReadOnlyList<PlanSummaryRow> Summary =>
        [.. Cells.GroupBy(c => (c.Cell.Kind, c.Cell.Model)).OrderBy(g => g.Key.Kind).Select(g => new PlanSummaryRow(g.Key.Kind, g.Key.Model,
            g.Count(), g.Count(c => c.Done), g.Where(c => !c.Done).Sum(c => c.EstimatedLlmCalls)))];
}

/// <summary>What `study merge` did: cells added to study.db, and shard stores that were not there.</summary>
public sealed record StudyMergeResult(int Added, IReadOnlyList<string> MissingShards);

/// <summary>Shard selection: shard <see cref="Index"/> of <see cref="Count"/> (0-based), or the whole study.</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static ShardSpec Whole { get; } = new(0, 1);

    public bool IsWhole => Count == 1;

    /// <summary>Parses "i/n" as given on the command line.</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var index) || !int.TryParse(parts[1], out var count) || count <= 0 || index < 0 || index >= count)
        {
            throw new ArgumentException($"Invalid shard '{text}': expected i/n with 0 <= i < n, e.g. 0/4.");
        }

        return new ShardSpec(index, count);
    }
}

/// <summary>
/// The library entry point for studies, used by the CLI: plan, run (whole or one shard), merge shard stores.
/// A whole run records into study.db; shard i of n records into shards/shard-i-of-n.db, and merge folds those into study.db.
/// </summary>
public static class StudyService
{
    public static string StorePath(StudyDefinition study, ShardSpec shard) => shard.IsWhole
        ? Path.Combine(study.OutputDirectory, "study.db")
        : Path.Combine(study.OutputDirectory, "shards", $"shard-{shard.Index}-of-{shard.Count}.db");

    public static async Task<StudyPlan> PlanAsync(StudyDefinition study, ShardSpec shard, CancellationToken cancellationToken)
    {
        var planner = new StudyPlanner(study);
        var cells = StudyPlanner.Shard(await planner.PlanAsync(cancellationToken).ConfigureAwait(false), shard.Index, shard.Count);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in new[] { StorePath(study, ShardSpec.Whole), StorePath(study, shard) }.Distinct())
        {
            if (File.Exists(path))
            {
                await using var store = await StudyStore.OpenAsync(path, cancellationToken).ConfigureAwait(false);
                finished.UnionWith((await store.ReadAllAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Key));
            }
        }

        var missing = DataFiles(study, cells).Where(f => !File.Exists(f)).ToArray();
        var testSizes = new Dictionary<string, int>(StringComparer.Ordinal);
        var planned = new List<PlannedCell>(cells.Count);
        foreach (var cell in cells)
        {
            var texts = 0;
            if (cell.Kind == CellKind.Classify && study.ResolvePath(study.Data.Test, cell.Task, cell.Language) is var test && File.Exists(test)
                && !testSizes.TryGetValue(test, out texts))
            {
                texts = testSizes[test] = (await LowResGen.Data.Import.ExampleFiles.ReadAsync(test, new LowResGen.Data.Import.ImportOptions
                {
                    Language = cell.Language,
                    Task = BuiltInTasks.Find(cell.Task),
                    Split = Splits.Test,
                }, cancellationToken).ConfigureAwait(false)).Examples.Count;
            }

            planned.Add(new PlannedCell(cell, finished.Contains(cell.Key), EstimateLlmCalls(study, cell, texts)));
        }

        return new StudyPlan(planned, missing);
    }

    /// <summary>Every data file the cells read: training and test data per task and language, and English training data for generation.</summary>
    private static IEnumerable<string> DataFiles(StudyDefinition study, IReadOnlyList<StudyCell> cells) =>
        cells.SelectMany(c => c.Kind == CellKind.Generate
                ? new[] { study.ResolvePath(study.Data.Train, c.Task, c.Language), study.ResolvePath(study.Data.EnglishTrain ?? study.Data.Train, c.Task, "en") }
                : [study.ResolvePath(study.Data.Train, c.Task, c.Language), study.ResolvePath(study.Data.Test, c.Task, c.Language)])
            .Distinct(StringComparer.Ordinal);

    public static Task<StudyRunResult> RunAsync(StudyDefinition study, ShardSpec shard, IStudyCellExecutor executor,
        IProgress<StudyProgress>? progress, CancellationToken cancellationToken) =>
        RunAsync(study, shard, executor, progress, waitForLock: false, cancellationToken);

    /// <summary>The lock file of a store: one run per store at a time (shards have their own stores, so they run side by side).</summary>
    public static string LockPath(StudyDefinition study, ShardSpec shard) => StorePath(study, shard) + ".lock";

    /// <param name="waitForLock">When another run holds this store, wait for it instead of failing at once.</param>
    public static async Task<StudyRunResult> RunAsync(StudyDefinition study, ShardSpec shard, IStudyCellExecutor executor,
        IProgress<StudyProgress>? progress, bool waitForLock, CancellationToken cancellationToken)
    {
        // The runner skips finished cells by their key in the store; the plan's done flags and estimates are for display.
        var cells = await CellsAsync(study, shard, cancellationToken).ConfigureAwait(false);

        // Two runs of one store would send every request twice and interleave their JSONL lines: the second one stops here.
        using var runLock = await RunLock.AcquireAsync(LockPath(study, shard), waitForLock, cancellationToken).ConfigureAwait(false);
        await using var store = await StudyStore.OpenAsync(StorePath(study, shard), cancellationToken).ConfigureAwait(false);
        if (!shard.IsWhole && File.Exists(StorePath(study, ShardSpec.Whole)))
        {
            // Cells already merged into the main store need not run again in a shard.
            await store.MergeFromAsync(StorePath(study, ShardSpec.Whole), cancellationToken).ConfigureAwait(false);
        }

        var runner = new StudyRunner(store, executor, progress);
        return await runner.RunAsync(study, cells, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<StudyCell>> CellsAsync(StudyDefinition study, ShardSpec shard, CancellationToken cancellationToken) =>
        StudyPlanner.Shard(await new StudyPlanner(study).PlanAsync(cancellationToken).ConfigureAwait(false), shard.Index, shard.Count);

    /// <summary>Merges the stores of shards 0..n-1 into study.db: the cells added, and the shards whose store does not exist
    /// (not run yet, or run elsewhere), which `study merge` warns about (and fails on with --strict).</summary>
    public static async Task<StudyMergeResult> MergeAsync(StudyDefinition study, int shards, CancellationToken cancellationToken)
    {
        using var runLock = await RunLock.AcquireAsync(LockPath(study, ShardSpec.Whole), wait: false, cancellationToken).ConfigureAwait(false);
        await using var store = await StudyStore.OpenAsync(StorePath(study, ShardSpec.Whole), cancellationToken).ConfigureAwait(false);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        var added = 0;
        var missing = new List<string>();
        for (var i = 0; i < shards; i++)
        {
            var path = StorePath(study, new ShardSpec(i, shards));
            if (!File.Exists(path))
            {
                missing.Add(path);
                continue;
            }

            added += await store.MergeFromAsync(path, cancellationToken).ConfigureAwait(false);
        }

        return new StudyMergeResult(added, missing);
    }

    /// <summary>
    /// A rough count of LLM calls: one generation call per label per expected attempt, one judge call per candidate; an
    /// LLM classification cell classifies its <paramref name="testTexts"/> (at most the limit) once per run: zero-shot
    /// once, k-shot once per seed.
    /// </summary>
    private static int EstimateLlmCalls(StudyDefinition study, StudyCell cell, int testTexts)
    {
        var labels = study.TaskOf(cell.Task).Labels.Count;
        return cell.Kind switch
        {
            CellKind.Generate when LowResGen.Generation.GenerationStrategy.Parse(cell.Strategy!) is var strategy =>
                labels * (int)Math.Ceiling(study.PerClass / 10.0 * 1.3)
                + (strategy.Revision ? labels * study.PerClass : 0)
                + (strategy.Description == LowResGen.Generation.LabelDescriptionSource.Summarized ? labels : 0),
            CellKind.Classify => (study.LlmClassificationLimit > 0 ? Math.Min(study.LlmClassificationLimit, testTexts) : testTexts)
                * (LowResGen.LlmClassification.LlmSetting.TryParseName(LowResGen.LlmClassification.LlmSetting.SplitScoring(cell.Setting).Prompting, out var k, out _) && k > 0 ? study.Seeds : 1),
            _ => 0,
        };
    }
}

/// <summary>
/// What `study run` would send: the plan, and for every cell still to do that calls an LLM, its dry-run plan (the real
/// prompts, the number of calls). A k-shot cell whose demonstrations come from a set not generated yet cannot show its
/// prompts; it is counted in <see cref="CellsWithoutPrompts"/> and in the plan's estimate.
/// </summary>
public sealed record StudyDryRun(StudyPlan Plan, IReadOnlyList<(StudyCell Cell, LowResGen.DryRun.DryRunPlan Plan)> Cells, int CellsWithoutPrompts);

public static class StudyDryRunner
{
    public static async Task<StudyDryRun> RunAsync(StudyDefinition study, ShardSpec shard, int promptsPerLabel, CancellationToken cancellationToken)
    {
        var plan = await StudyService.PlanAsync(study, shard, cancellationToken).ConfigureAwait(false);
        if (plan.MissingFiles.Count > 0)
        {
            throw new FileNotFoundException($"{plan.MissingFiles.Count} data file(s) of the study do not exist: {string.Join(", ", plan.MissingFiles)}");
        }

        // The executor builds its LLM clients lazily: planning through it creates none, so nothing is sent.
        await using var executor = StudyCellExecutor.Create(study);
        var cells = new List<(StudyCell, LowResGen.DryRun.DryRunPlan)>();
        var without = 0;
        foreach (var cell in plan.Cells.Where(c => !c.Done).Select(c => c.Cell))
        {
            switch (cell.Kind)
            {
                case CellKind.Generate:
                    var request = await executor.GenerationRequestAsync(cell, null, cancellationToken).ConfigureAwait(false);
                    cells.Add((cell, await LowResGen.DryRun.DryRunPlanner.GenerationAsync(request, cell.Model!, promptsPerLabel, cancellationToken).ConfigureAwait(false)));
                    break;
                case CellKind.Classify when cell.DependsOn is not null:
                    without++;
                    break;
                case CellKind.Classify:
                    var (task, setting, scoring, test, seeds) = await executor.ClassificationInputAsync(cell, null, cancellationToken).ConfigureAwait(false);
                    cells.Add((cell, await LowResGen.DryRun.DryRunPlanner.ClassificationAsync(task, new LowResGen.LlmClassification.LlmClassifierOptions { Scoring = scoring },
                        [setting], test, seeds, cell.Model!, promptsPerLabel, cancellationToken).ConfigureAwait(false)));
                    break;
            }
        }

        return new StudyDryRun(plan, cells, without);
    }
}
