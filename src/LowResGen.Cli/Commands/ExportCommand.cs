using System.CommandLine;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.LlmClassification;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen export`: a gold or generated set as chat-formatted instruction-tuning data.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "Output format: chat-jsonl ({\"messages\": [system, user, assistant]} per line).", DefaultValueFactory = _ => "chat-jsonl" };
        var input = new Option<string>("--input") { Description = "Example file to export (CSV/TSV with text and label columns).", Required = true };
        var task = new Option<string>("--task") { Description = ClassifyCommand.TaskDescription, Required = true };
        var output = new Option<string>("--output") { Description = "Output .jsonl file (written atomically).", Required = true };
        var descriptions = new Option<bool>("--descriptions") { Description = "Include the label descriptions in the system message." };

        var command = new Command("export", "Write labelled data as chat-formatted instruction-tuning data for fine-tuning a small LLM elsewhere.")
        {
            format, input, task, output, descriptions,
        };
        command.SetAction((parseResult, cancellationToken) => CliErrors.GuardAsync(parseResult, async () =>
        {
            if (!string.Equals(parseResult.GetValue(format), "chat-jsonl", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Unknown --format '{parseResult.GetValue(format)}'; supported: chat-jsonl.");
            }

            var definition = await ClassifyCommand.ResolveTaskAsync(parseResult.GetValue(task)!, parseResult.GetValue(input)!, cancellationToken);
            var imported = await ExampleFiles.ReadAsync(parseResult.GetValue(input)!, new ImportOptions { Task = definition }, cancellationToken);
            var path = parseResult.GetValue(output)!;
            await ChatJsonl.WriteAsync(path, imported.Examples, new ClassificationPrompt(definition, parseResult.GetValue(descriptions)), cancellationToken);
            parseResult.InvocationConfiguration.Output.WriteLine(
                $"Wrote {imported.Examples.Count} conversations to {Path.GetFullPath(path)} ({imported.Warnings.Count} rows skipped on import).");
            return 0;
        }));
        return command;
    }
}
