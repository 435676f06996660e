using System.CommandLine;
using LowResGen.Curation;
using LowResGen.Evaluation;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen curate`: filter a generated set, keep up to N per class, write the kept and the dropped examples.</summary>
internal static class CurateCommand
{
    private static readonly CurationOptions Defaults = new();

    public static Command Create(ClassifierTrainerRegistry trainers) => Create(trainers, out _, out _);

    /// <param name="optionsOf">The curation options a parse gives, as the action reads them (tests compare them with the library's defaults).</param>
    /// <param name="inputsOf">The inputs shared with inspect, for the same comparison of the quality options.</param>
    internal static Command Create(ClassifierTrainerRegistry trainers, out Func<ParseResult, CurationOptions> optionsOf, out CurationInputs inputsOf)
    {
        var inputs = inputsOf = new CurationInputs(trainers);
        var perClass = new Option<int>("--per-class") { Description = "Keep at most this many examples per class.", Required = true };
        var filters = new Option<string>("--filters")
        {
            Description = "Filters in order, comma-separated, each optionally name=threshold: " + string.Join(", ", CurationFilter.Known.Keys) + " (or none).",
            DefaultValueFactory = _ => string.Join(',', CurationOptions.DefaultFilters),
        };
        var selection = new Option<SelectionStrategy>("--selection")
        {
            Description = "How to choose among the survivors: " + string.Join(", ", Enum.GetNames<SelectionStrategy>()) + ".",
            DefaultValueFactory = _ => Defaults.Selection,
        };
        var command = new Command("curate", "Apply quality filters to a generated set and keep up to N examples per class; writes kept.csv, dropped.csv (with reasons) and the quality report.");
        inputs.AddTo(command);
        command.Options.Add(perClass);
        command.Options.Add(filters);
        command.Options.Add(selection);
        var diversity = new Option<double>("--diversity") { Description = "Similarity penalty of the score-based selections (0 = none).", DefaultValueFactory = _ => Defaults.DiversityWeight };
        command.Options.Add(diversity);
        optionsOf = parseResult => new CurationOptions
        {
            PerClass = parseResult.GetValue(perClass),
            Filters = CurationFilter.ParseList(parseResult.GetValue(filters)),
            Selection = parseResult.GetValue(selection),
            DiversityWeight = parseResult.GetValue(diversity),
            Seed = parseResult.GetValue(inputs.Seed),
        };
        var optionsFrom = optionsOf;
        command.SetAction((parseResult, ct) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var options = optionsFrom(parseResult);
            var (examples, quality, output) = await inputs.LoadAsync(parseResult, ct);
            var (result, report) = await AnsiConsole.Status().StartAsync("Measuring and curating…",
                _ => Curator.CurateAsync(examples, quality, options, parseResult.GetValue(inputs.Generated)!, ct));

            await QualityReportWriter.WriteExamplesCsvAsync(Path.Combine(output, "kept.csv"), result.Kept, ct);
            await QualityReportWriter.WriteDroppedCsvAsync(Path.Combine(output, "dropped.csv"), result.Dropped, ct);
            await QualityReportWriter.WriteJsonAsync(Path.Combine(output, "quality-report.json"), report, ct);

            var table = new Table().Border(TableBorder.Rounded).AddColumn("filter").AddColumn(new TableColumn("dropped").RightAligned());
            foreach (var (filter, count) in result.DroppedByFilter.OrderByDescending(kv => kv.Value))
            {
                table.AddRow(Markup.Escape(filter), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            foreach (var note in report.Notes)
            {
                AnsiConsole.MarkupLine("[grey]Not measured: " + Markup.Escape(note) + "[/]");
            }

            AnsiConsole.MarkupLine($"Kept [bold]{result.Kept.Count}[/] of {examples.Count} ({string.Join(", ", result.Kept.GroupBy(e => e.Label).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{Markup.Escape(g.Key)} {g.Count()}"))}).");
            AnsiConsole.MarkupLine($"Written to [bold]{Markup.Escape(output)}[/]: kept.csv, dropped.csv, quality-report.json.");
            return 0;
        }));
        return command;
    }
}
