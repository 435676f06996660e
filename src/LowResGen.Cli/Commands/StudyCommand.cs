using System.CommandLine;
using LowResGen.Experiments;
using LowResGen.Reporting;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen study plan|run|merge|report|slurm`: a whole grid from one TOML file.</summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var command = new Command("study", "Run a whole study (tasks x languages x models x strategies x seeds) from one TOML file: resumable, shardable, reported.");
        command.Subcommands.Add(Plan());
        command.Subcommands.Add(Run());
        command.Subcommands.Add(Merge());
        command.Subcommands.Add(Report());
        command.Subcommands.Add(Slurm());
        return command;
    }

    private static Argument<FileInfo> StudyFile() => new("study") { Description = "The study file (TOML)." };

    private static Option<string?> ShardOption() => new("--shard") { Description = "Run only shard i of n (0-based), e.g. 0/4." };

    private static Option<bool> StrictOption() => new("--strict") { Description = "Exit non-zero on warnings (missing data files or shard stores)." };

    private static int Warn(IReadOnlyList<string> warnings, bool strict)
    {
        foreach (var warning in warnings)
        {
            Console.Error.WriteLine(CliErrors.WarningPrefix + warning);
        }

        return strict && warnings.Count > 0 ? 1 : 0;
    }

    private static Command Plan()
    {
        var file = StudyFile();
        var shard = ShardOption();
        var all = new Option<bool>("--all") { Description = "List every cell, not only the summary by kind and model." };
        var strict = StrictOption();
        var command = new Command("plan", "Print the cells by kind and model, which are done, an estimate of the LLM calls left, and missing data files (a warning; an error with --strict).") { file, shard, all, strict };
        command.SetAction(async (parse, ct) => await CliErrors.GuardAsync(parse, async () =>
        {
            var study = await StudyDefinition.LoadAsync(parse.GetValue(file)!.FullName, ct);
            var plan = await StudyService.PlanAsync(study, ParseShard(parse.GetValue(shard)), ct);
            var summary = new Table().AddColumns(new TableColumn("kind"), new TableColumn("model"), new TableColumn("cells").RightAligned(),
                new TableColumn("done").RightAligned(), new TableColumn("est. LLM calls left").RightAligned());
            foreach (var row in plan.Summary)
            {
                summary.AddRow(row.Kind.ToString(), Markup.Escape(row.Model ?? "-"), Number(row.Cells), Number(row.Done), Number(row.EstimatedLlmCallsLeft));
            }

            AnsiConsole.Write(summary);
            if (parse.GetValue(all))
            {
                var table = new Table().AddColumns("cell", "kind", "status", "est. LLM calls");
                foreach (var cell in plan.Cells)
                {
                    table.AddRow(Markup.Escape(cell.Cell.Name), cell.Cell.Kind.ToString(), cell.Done ? "[green]done[/]" : "to do", Number(cell.EstimatedLlmCalls));
                }

                AnsiConsole.Write(table);
            }

            AnsiConsole.MarkupLine($"{plan.Done} of {plan.Cells.Count} cells done; about {plan.EstimatedLlmCallsLeft} LLM calls left"
                + (parse.GetValue(all) ? "." : " (--all lists every cell)."));
            return Warn([.. plan.MissingFiles.Select(f => $"data file {f} does not exist: the cells that read it will fail")], parse.GetValue(strict));
        }));
        return command;
    }

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Command Run()
    {
        var file = StudyFile();
        var shard = ShardOption();
        var plain = new Option<bool>("--plain") { Description = "Plain log lines instead of the live display (the default when output is not a terminal)." };
        var allowShortfall = new Option<bool>("--allow-shortfall")
        {
            Description = $"Exit 0 even when a generation cell ended with a class below per_class (default: exit code {CliErrors.Shortfall}; also allow_shortfall = true in the study).",
        };
        var wait = new Option<bool>("--wait") { Description = "When another run holds this study (or shard), wait for it instead of failing." };
        var config = new Option<FileInfo?>("--llm-config") { Description = "Named models (default: $LOWRESGEN_LLM_CONFIG, ./llm.toml, ~/.config/lowresgen/llm.toml)" };
        var retries = new Option<int?>("--retries") { Description = $"Retries per LLM request before it counts as a failed attempt (default {new LowResGen.Llm.Middleware.RetryOptions().MaxRetries})" };
        var command = new Command("run", "Run every cell that is not done yet; safe to kill and rerun at any moment.") { file, shard, plain, allowShortfall, wait, config, retries };
        var dryRun = DryRunOptions.Create();
        dryRun.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.GuardAsync(parse, async () =>
        {
            var study = await StudyDefinition.LoadAsync(parse.GetValue(file)!.FullName, ct);
            var spec = ParseShard(parse.GetValue(shard));
            if (dryRun.Requested(parse))
            {
                PrintDryRun(await StudyDryRunner.RunAsync(study, spec, dryRun.PromptsPerLabel(parse), ct), parse.InvocationConfiguration.Output);
                return 0;
            }

            var llm = new LowResGen.Llm.LlmClientOptions
            {
                Config = parse.GetValue(config) is { } configFile ? LowResGen.Llm.LlmConfig.Load(configFile.FullName) : null,
            };
            if (parse.GetValue(retries) is { } count)
            {
                llm = llm with { Retry = llm.Retry with { MaxRetries = count } };
            }

            await using var executor = await StudyCellExecutor.CreateAsync(study, llm, new Progress<string>(Console.Error.WriteLine), ct);
            var live = !parse.GetValue(plain) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            StudyRunResult result;
            if (live)
            {
                result = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        var bar = context.AddTask("cells");
                        StudyProgress? last = null;
                        void Show(StudyProgress p)
                        {
                            bar.MaxValue = Math.Max(1, p.CellsTotal);
                            bar.Value = p.CellsDone + p.CellsSkipped + p.CellsFailed;
                            bar.Description = $"cells {p.CellsDone + p.CellsSkipped}/{p.CellsTotal} ({p.CellsFailed} failed" +
                                              (p.CellsShort > 0 ? $", [yellow]{p.CellsShort} short[/]" : "") + $"), {Rates(p, executor)}";
                        }

                        var progress = new SynchronousProgress<StudyProgress>(p => Show(last = p));
                        var clock = System.Diagnostics.Stopwatch.StartNew();
                        var run = StudyService.RunAsync(study, spec, executor, progress, parse.GetValue(wait), ct);

                        // Cells can run for minutes: refresh the rates every second, not only when a cell ends.
                        while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), ct)) != run)
                        {
                            if (last is { } current)
                            {
                                Show(current with { Elapsed = clock.Elapsed });
                            }
                        }

                        return await run;
                    });
            }
            else
            {
                var progress = new SynchronousProgress<StudyProgress>(p => Console.WriteLine(
                    $"[{p.Elapsed:hh\\:mm\\:ss}] cells done {p.CellsDone}, skipped {p.CellsSkipped}, failed {p.CellsFailed}, short {p.CellsShort} of {p.CellsTotal}; " +
                    $"{Rates(p, executor)}; ETA {(p.EstimatedRemaining is { } eta ? eta.ToString("hh\\:mm\\:ss", System.Globalization.CultureInfo.InvariantCulture) : "?")}" +
                    (p.LastCell is null ? "" : $"; last {p.LastCell}")));
                result = await StudyService.RunAsync(study, spec, executor, progress, parse.GetValue(wait), ct);
            }

            Console.WriteLine($"Ran {result.Ran} cells, {result.Skipped} already done, {result.Failures.Count} failed, {result.Shortfalls.Count} short.");
            foreach (var model in executor.Llm.Usage.Models)
            {
                Console.WriteLine(LlmOptions.UsageLine(model));
            }

            foreach (var failure in result.Failures)
            {
                Console.Error.WriteLine(CliErrors.Prefix + $"cell {failure.Cell.Name} failed: {failure.Error}");
            }

            var shortfall = CliErrors.ShortfallExit(parse.InvocationConfiguration.Error, [.. result.Shortfalls.Select(f => (f.Cell.Name, f.Counts))],
                study.AllowShortfall || parse.GetValue(allowShortfall), "--allow-shortfall or allow_shortfall = true in the study");
            return result.Failures.Count > 0 ? CliErrors.UserError : shortfall;
        }));
        return command;
    }

    private static Command Merge()
    {
        var file = StudyFile();
        var shards = new Option<int>("--shards") { Description = "How many shards ran.", Required = true };
        var strict = StrictOption();
        var command = new Command("merge", "Merge the shard stores into the study's store.") { file, shards, strict };
        command.SetAction(async (parse, ct) => await CliErrors.GuardAsync(parse, async () =>
        {
            var study = await StudyDefinition.LoadAsync(parse.GetValue(file)!.FullName, ct);
            var merged = await StudyService.MergeAsync(study, parse.GetValue(shards), ct);
            Console.WriteLine($"Merged {merged.Added} cells into {StudyService.StorePath(study, ShardSpec.Whole)}.");
            return Warn([.. merged.MissingShards.Select(p => $"shard store {p} does not exist: did that shard run?")], parse.GetValue(strict));
        }));
        return command;
    }

    private static Command Report()
    {
        var file = StudyFile();
        var command = new Command("report", "Write report.html (self-contained) and report.md into the study's output folder.") { file };
        command.SetAction(async (parse, ct) => await CliErrors.GuardAsync(parse, async () =>
        {
            var study = await StudyDefinition.LoadAsync(parse.GetValue(file)!.FullName, ct);
            var (html, markdown) = await StudyReportBuilder.WriteAsync(study, ct);
            Console.WriteLine($"Wrote {html} and {markdown}.");
            return 0;
        }));
        return command;
    }

    private static Command Slurm()
    {
        var file = StudyFile();
        var shards = new Option<int>("--shards") { Description = "Number of array tasks (shards).", Required = true };
        var defaults = new SlurmOptions(Shards: 1);
        var partition = new Option<string>("--partition") { Description = "Slurm partition.", DefaultValueFactory = _ => defaults.Partition };
        var gpus = new Option<string>("--gpus") { Description = "GPUs per array task (e.g. 1), for embedded models.", DefaultValueFactory = _ => defaults.Gpus };
        var time = new Option<string>("--time") { Description = "Time limit per shard.", DefaultValueFactory = _ => defaults.TimeLimit };
        var output = new Option<DirectoryInfo?>("--output") { Description = "Folder for the scripts (default: the study's output folder)." };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "CPUs per array task (default: the cluster's default)." };
        var memory = new Option<string?>("--mem") { Description = "Memory per array task, e.g. 16G (default: the cluster's default)." };
        var mergePartition = new Option<string?>("--merge-partition") { Description = "Partition of the merge job (default: --partition, or the cluster's default when --gpus is given)." };
        var command = new Command("slurm", "Write a Slurm array job that runs the shards and a dependent merge-and-report job.")
        {
            file, shards, partition, gpus, time, output, cpus, memory, mergePartition,
        };
        command.SetAction(async (parse, ct) => await CliErrors.GuardAsync(parse, async () =>
        {
            var path = parse.GetValue(file)!.FullName;
            var study = await StudyDefinition.LoadAsync(path, ct);
            var (array, merge, submit) = SlurmScriptWriter.Write(path, study, new SlurmOptions(parse.GetValue(shards),
                Partition: parse.GetValue(partition)!, TimeLimit: parse.GetValue(time)!, Gpus: parse.GetValue(gpus)!,
                CpusPerTask: parse.GetValue(cpus), MemoryPerTask: parse.GetValue(memory), MergePartition: parse.GetValue(mergePartition)));
            var directory = parse.GetValue(output)?.FullName ?? Path.Combine(study.OutputDirectory, "slurm");
            await LowResGen.Common.AtomicFile.WriteAllTextAsync(Path.Combine(directory, "shards.sbatch"), array, ct);
            await LowResGen.Common.AtomicFile.WriteAllTextAsync(Path.Combine(directory, "merge.sbatch"), merge, ct);
            await LowResGen.Common.AtomicFile.WriteAllTextAsync(Path.Combine(directory, "submit.sh"), submit, ct);
            Console.WriteLine($"Wrote {directory}/shards.sbatch, merge.sbatch and submit.sh; run: bash {directory}/submit.sh");
            return 0;
        }));
        return command;
    }

    /// <summary>The first generation and the first classification cell in full; one line for each other cell.</summary>
    private static void PrintDryRun(StudyDryRun dryRun, TextWriter output)
    {
        var shown = new HashSet<CellKind>();
        foreach (var (cell, plan) in dryRun.Cells)
        {
            output.Write(shown.Add(cell.Kind) ? $"{cell.Name}\n{plan.ToText()}" : $"{cell.Name}: {plan.CallsText}\n");
        }

        var left = dryRun.Plan.Cells.Where(c => !c.Done).ToArray();
        output.WriteLine($"dry run: {left.Length} of {dryRun.Plan.Cells.Count} cells to do, about {dryRun.Plan.EstimatedLlmCallsLeft} LLM calls left in all; nothing was sent."
            + (dryRun.CellsWithoutPrompts > 0 ? $" {dryRun.CellsWithoutPrompts} k-shot cell(s) draw from sets not generated yet: counted, prompts not shown." : ""));
    }

    private static string Rates(StudyProgress progress, StudyCellExecutor executor)
    {
        // Live counters from the LLM middleware, not the per-cell totals, so the rates move while cells run.
        var seconds = Math.Max(progress.Elapsed.TotalSeconds, 1e-3);
        var usage = executor.Llm.Usage;
        var tokens = usage.Models.Sum(m => m.InputTokens + m.OutputTokens);
        return $"{executor.AcceptedExamples} examples accepted ({executor.AcceptedExamples / seconds:F1}/s), "
            + $"{usage.Succeeded} LLM answers ({usage.Cached} cached, {usage.Failed} failed, {usage.Models.Sum(m => m.Retries)} retries), {tokens / seconds:F0} LLM tokens/s";
    }

    private static ShardSpec ParseShard(string? text) => text is null ? ShardSpec.Whole : ShardSpec.Parse(text);
}
