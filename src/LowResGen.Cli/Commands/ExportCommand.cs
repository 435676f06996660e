using System.CommandLine;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Export;
using LowResGen.LlmClassification;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen export`: a gold or generated set as chat-formatted instruction-tuning data, or as a Parquet dataset with its card.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "Output format: chat-jsonl ({\"messages\": [system, user, assistant]} per line) or parquet "
                + "(a folder: data/train-00000-of-00001.parquet and a dataset card README.md, the Hugging Face layout).",
            DefaultValueFactory = _ => "chat-jsonl",
        };
        var input = new Option<string>("--input") { Description = "Example file to export (CSV/TSV with text and label columns; a run's {lang}-generated.csv brings its provenance).", Required = true };
        var task = new Option<string>("--task") { Description = ClassifyCommand.TaskDescription, Required = true };
        var output = new Option<string>("--output") { Description = "Output .jsonl file (chat-jsonl) or folder (parquet); files are written atomically.", Required = true };
        var descriptions = new Option<bool>("--descriptions") { Description = "Include the label descriptions in the system message (chat-jsonl)." };
        var license = new Option<string>("--license") { Description = "Licence id for the dataset card (parquet), e.g. cc-by-4.0.", DefaultValueFactory = _ => new DatasetExportOptions().License };
        var language = new Option<string?>("--language") { Description = "Language code of the rows (default: a language column, or the generation run's language)." };

        var command = new Command("export", "Write labelled data as chat-formatted instruction-tuning data, or as a Parquet dataset with a dataset card.")
        {
            format, input, task, output, descriptions, license, language,
        };
        command.SetAction((parseResult, cancellationToken) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var parquet = string.Equals(parseResult.GetValue(format), "parquet", StringComparison.OrdinalIgnoreCase);
            if (!parquet && !string.Equals(parseResult.GetValue(format), "chat-jsonl", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Unknown --format '{parseResult.GetValue(format)}'; supported: chat-jsonl, parquet.");
            }

            var definition = await ClassifyCommand.ResolveTaskAsync(parseResult.GetValue(task)!, parseResult.GetValue(input)!, cancellationToken);
            var imported = await ExampleFiles.ReadAsync(parseResult.GetValue(input)!, new ImportOptions { Task = definition, Language = parseResult.GetValue(language) ?? "" }, cancellationToken);
            var path = parseResult.GetValue(output)!;
            if (parquet)
            {
                var provenance = await GenerationProvenance.FindAsync(parseResult.GetValue(input)!, cancellationToken);
                var written = await HuggingFaceDataset.WriteAsync(path, definition, imported.Examples, provenance,
                    new DatasetExportOptions { License = parseResult.GetValue(license)! }, cancellationToken);
                parseResult.InvocationConfiguration.Output.WriteLine(
                    $"Wrote {written.Rows} rows ({written.RowsWithProvenance} with generation provenance) to {written.ParquetFile} "
                    + $"and the dataset card {written.CardFile} ({imported.Warnings.Count} rows skipped on import).");
                return 0;
            }

            await ChatJsonl.WriteAsync(path, imported.Examples, new ClassificationPrompt(definition, parseResult.GetValue(descriptions)), cancellationToken);
            parseResult.InvocationConfiguration.Output.WriteLine(
                $"Wrote {imported.Examples.Count} conversations to {Path.GetFullPath(path)} ({imported.Warnings.Count} rows skipped on import).");
            return 0;
        }));
        return command;
    }
}
