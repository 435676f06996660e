using System.CommandLine;
using LowResGen.Curation;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen curate`: filter a generated set, keep up to N per class, write the kept and the dropped examples.</summary>
internal static class CurateCommand
{
    public static Command Create()
    {
        var inputs = new CurationInputs();
        var perClass = new Option<int>("--per-class") { Description = "Keep at most this many examples per class.", Required = true };
        var filters = new Option<string>("--filters")
        {
            Description = "Filters in order, comma-separated, each optionally name=threshold: " + string.Join(", ", CurationFilter.Known.Keys) + " (or none).",
            DefaultValueFactory = _ => string.Join(',', CurationOptions.DefaultFilters),
        };
        var selection = new Option<SelectionStrategy>("--selection")
        {
            Description = "How to choose among the survivors: " + string.Join(", ", Enum.GetNames<SelectionStrategy>()) + ".",
            DefaultValueFactory = _ => new CurationOptions().Selection,
        };
        var command = new Command("curate", "Apply quality filters to a generated set and keep up to N examples per class; writes kept.csv, dropped.csv (with reasons) and the quality report.");
        inputs.AddTo(command);
        command.Options.Add(perClass);
        command.Options.Add(filters);
        command.Options.Add(selection);
        var diversity = new Option<double>("--diversity") { Description = "Similarity penalty of the score-based selections (0 = none).", DefaultValueFactory = _ => 0 };
        command.Options.Add(diversity);
        command.SetAction((parseResult, ct) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var chosen = CurationFilter.ParseList(parseResult.GetValue(filters));
            var (examples, quality, output) = await inputs.LoadAsync(parseResult, ct);
            var options = new CurationOptions
            {
                PerClass = parseResult.GetValue(perClass),
                Filters = chosen,
                Selection = parseResult.GetValue(selection),
                DiversityWeight = parseResult.GetValue(diversity),
                Seed = quality.Seed,
            };
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
