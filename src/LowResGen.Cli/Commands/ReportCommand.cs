using System.CommandLine;
using LowResGen.Common;
using LowResGen.Reporting;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen report`: results CSVs into Markdown tables (languages as columns) and a gap-to-reference plot.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("results")
        {
            Description = "results.csv files or directories holding them (each named by its folder), or name=path.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output") { Description = "Where report.md, gap-f1.png and gap-accuracy.png go.", Required = true };
        var reference = new Option<string?>("--reference") { Description = "The setting the others are compared with (default: gold, else the first)." };
        var command = new Command("report", "Aggregate results CSVs into Markdown tables and plots of the gap to the reference setting.")
        {
            inputs, output, reference,
        };
        command.SetAction((parseResult, cancellationToken) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var report = await ResultsReport.LoadAsync(parseResult.GetValue(inputs)!, parseResult.GetValue(reference), cancellationToken);
            var written = await report.WriteAsync(parseResult.GetValue(output)!, cancellationToken);
            // Markdown goes out verbatim: a console renderer would wrap the table rows.
            parseResult.InvocationConfiguration.Output.WriteLine(report.ToMarkdown());
            var console = CliConsole.Create(parseResult);
            foreach (var path in written)
            {
                console.MarkupLineInterpolated($"Written [blue]{path}[/]");
            }

            return 0;
        }));
        return command;
    }
}
