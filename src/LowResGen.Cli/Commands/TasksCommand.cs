using System.CommandLine;
using System.Globalization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen tasks init|show`: write a task file from a data file, print a built-in task or a task file.</summary>
internal static class TasksCommand
{
    public static Command Create() => new("tasks", "Task files: your own labels, display names and descriptions.") { Init(), Show() };

    private static Command Init()
    {
        var file = new Argument<string>("data-file") { Description = "A labelled data file (CSV, TSV, JSONL or Parquet)." };
        var text = new Option<string?>("--text-column") { Description = "Text column (default: text, sentence or utt)." };
        var label = new Option<string?>("--label-column") { Description = "Label column (default: intent, label_name, category or label)." };
        var sorted = new Option<bool>("--sorted") { Description = "Labels in sorted order (default: the order they first appear in)." };
        var name = new Option<string?>("--name") { Description = "The task's name (default: the output file's name)." };
        var output = new Option<string>("--output") { Description = "Task file to write (.toml).", Required = true };
        var command = new Command("init", "Write a task file from a data file's labels, with their counts, for you to name and describe.")
        {
            file, text, label, sorted, name, output,
        };
        command.SetAction((parseResult, cancellationToken) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var path = parseResult.GetValue(file)!;
            var target = parseResult.GetValue(output)!;
            var imported = await ExampleFiles.ReadAsync(path, new ImportOptions
            {
                TextColumn = parseResult.GetValue(text),
                LabelColumn = parseResult.GetValue(label),
            }, cancellationToken);
            var taskName = parseResult.GetValue(name) ?? Path.GetFileNameWithoutExtension(target);
            var toml = TaskFile.FromExamples(imported.Examples, taskName, path, parseResult.GetValue(sorted));
            TaskFile.Parse(toml, target); // what we write must read back
            await AtomicFile.WriteAllTextAsync(target, toml, cancellationToken);
            var labels = imported.Examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Count();
            parseResult.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target}: task '{taskName}' with {labels} labels from {imported.Examples.Count} examples; edit the names, then use --task {target}"));
        }));
        return command;
    }

    private static Command Show()
    {
        var task = new Argument<string>("task") { Description = "A built-in task name or a task file." };
        var command = new Command("show", "Print a task: its labels (value and name shown to an LLM), descriptions and length limits.") { task };
        command.SetAction((parseResult, _) => CliErrors.GuardAsync(parseResult, () =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var reference = TaskResolver.Resolve(parseResult.GetValue(task)!);
            var definition = reference.Definition;
            var length = definition.GeneratedLength;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{definition.Name} ({definition.SourceFile ?? "built-in"}): {definition.Labels.Count} labels, label kind '{definition.LabelKind}', generated examples {length}"));
            foreach (var label in definition.Labels)
            {
                var shown = definition.DisplayNameOf(label);
                output.WriteLine($"  {label}{(shown == label ? "" : $" = \"{shown}\"")}{(definition.DescriptionOf(label) is { } d ? ": " + d : "")}");
            }

            return Task.FromResult(0);
        }));
        return command;
    }
}
