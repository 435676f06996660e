using System.CommandLine;
using LowResGen.Common;
using LowResGen.Curation;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen inspect`: the quality report of a generated set, in the terminal and as JSON + Markdown.</summary>
internal static class InspectCommand
{
    public static Command Create(ClassifierTrainerRegistry trainers)
    {
        var inputs = new CurationInputs(trainers);
        var command = new Command("inspect", "Measure the quality of a generated set (language, redundancy, diversity, label consistency, leakage) without any LLM.");
        inputs.AddTo(command);
        command.SetAction((parseResult, ct) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var (examples, quality, output) = await inputs.LoadAsync(parseResult, ct);
            var report = await AnsiConsole.Status().StartAsync("Measuring…",
                _ => QualityAnalyzer.AnalyzeAsync(examples, quality, parseResult.GetValue(inputs.Generated)!, parseResult.GetValue(inputs.Task), ct));
            CurationInputs.Print(report);
            await QualityReportWriter.WriteJsonAsync(Path.Combine(output, "quality-report.json"), report, ct);
            await QualityReportWriter.WriteMarkdownAsync(Path.Combine(output, "quality-report.md"), report, ct);
            AnsiConsole.MarkupLine($"Report written to [bold]{Markup.Escape(output)}[/] (quality-report.json, quality-report.md).");
            return 0;
        }));
        return command;
    }
}

/// <summary>The inputs `inspect` and `curate` share: the generated file and what to measure it against.</summary>
internal sealed class CurationInputs(ClassifierTrainerRegistry trainers)
{
    private static readonly QualityOptions Defaults = new();

    public Argument<string> Generated { get; } = new("generated") { Description = "Generated examples (CSV/TSV with a text and a label column, e.g. `text,intent`)." };

    public Option<string?> Task { get; } = new("--task") { Description = "Task name (intent, topic, sentiment, massive60, ...): labels are checked against it." };

    public Option<string?> Language { get; } = new("--language") { Description = "Target language (ISO 639-1/3, FLORES code or name): enables the language measure." };

    public Option<string?> GoldTest { get; } = new(CliNames.Test, CliNames.GoldTest) { Description = "Gold test set: enables contamination and vocabulary coverage." };

    public Option<string?> Demonstrations { get; } = new(CliNames.Demonstrations) { Description = "The demonstrations generation used: enables copying and gold-seed label agreement." };

    public Option<string> Output { get; } = new("--output") { Description = "Output directory.", Required = true };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of folds, classifiers and sampling.", DefaultValueFactory = _ => Defaults.Seed };

    public Option<double> NearDuplicateThreshold { get; } = new("--near-duplicate-threshold") { Description = "Character 4-gram Jaccard similarity from which texts are near duplicates.", DefaultValueFactory = _ => Defaults.NearDuplicateThreshold };

    public Option<double> MislabelConfidence { get; } = new("--mislabel-confidence") { Description = "Confidence from which a classifier's other label flags an example.", DefaultValueFactory = _ => Defaults.MislabelConfidence };

    public Option<bool> NoConsistency { get; } = new("--no-consistency") { Description = "Skip the label-consistency classifiers." };

    /// <summary>The student of the label-consistency measures, chosen by name as in evaluate and compare.</summary>
    public Option<string> Classifier { get; } = new("--classifier")
    {
        Description = "Student of the label-consistency measures, by name as in evaluate: ngram, encoder:<model>, ngram+encoder:<model>.",
        DefaultValueFactory = _ => ClassifierTrainerRegistry.DefaultName,
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Generated);
        foreach (var option in new Option[] { Task, Language, GoldTest, Demonstrations, Output, Seed, NearDuplicateThreshold, MislabelConfidence, NoConsistency, Classifier })
        {
            command.Options.Add(option);
        }
    }

    public async Task<(IReadOnlyList<Example> Examples, QualityOptions Quality, string Output)> LoadAsync(ParseResult parse, CancellationToken ct)
    {
        var task = TaskResolver.ResolveOptional(parse.GetValue(Task));
        var language = parse.GetValue(Language);
        var import = new ImportOptions { Language = language ?? "", Task = task, Split = Splits.Generated };
        var examples = await ReadAsync(parse.GetValue(Generated)!, import, ct);
        var demonstrations = parse.GetValue(Demonstrations) is { } d ? await ReadAsync(d, import with { Split = Splits.Train }, ct) : null;
        var gold = parse.GetValue(GoldTest) is { } g ? await ReadAsync(g, import with { Split = Splits.Test }, ct) : null;
        var identifier = language is null ? null
            : LinguaLanguageIdentifier.LinguaKnows(language) ? await new LinguaModelStore().IdentifierForAsync(language, null, new Progress<string>(Console.Error.WriteLine), ct) : null;
        var quality = QualityOptionsOf(parse, task) with
        {
            TargetLanguage = language,
            LanguageIdentifier = identifier,
            Demonstrations = demonstrations,
            GoldTest = gold,
        };
        return (examples, quality, parse.GetValue(Output)!);
    }

    /// <summary>What the options say about the measures, without reading any file (tests compare it with the library's defaults).</summary>
    public QualityOptions QualityOptionsOf(ParseResult parse, TaskDefinition? task = null) => new()
    {
        NearDuplicateThreshold = parse.GetValue(NearDuplicateThreshold),
        MislabelConfidence = parse.GetValue(MislabelConfidence),
        Trainer = parse.GetValue(NoConsistency) ? null : trainers.Create(parse.GetValue(Classifier)!, task),
        Seed = parse.GetValue(Seed),
    };

    /// <summary>Bad input ends with one clear line and exit code 1, never a stack trace or a half-written output.</summary>
    public static void Print(QualityReport report)
    {
        // Three narrow tables rather than one wide one, so the report stays readable in an 80-column terminal.
        string[] headers = ["class", "n", "in lang.", "lang. conf.", "exact dup.", "near dup.", "other-label dup.", "distinct-1", "distinct-2", "vocab.", "self-sim.", "words", "test vocab.", "OOF agree", "seed agree", "mislabeled?", "copying", "contam."];
        int[][] parts = [[0, 1, 2, 3, 4, 5, 6], [0, 7, 8, 9, 10, 11, 12], [0, 13, 14, 15, 16, 17]];
        string[] titles = ["Language and redundancy", "Diversity", "Label consistency and leakage"];
        for (var p = 0; p < parts.Length; p++)
        {
            var table = new Table().Title($"{titles[p]}: {Markup.Escape(Path.GetFileName(report.Source))}").Border(TableBorder.Rounded);
            foreach (var column in parts[p])
            {
                table.AddColumn(new TableColumn(headers[column]) { Alignment = column == 0 ? Justify.Left : Justify.Right });
            }

            foreach (var group in report.Classes.Append(report.Overall))
            {
                var cells = QualityReportWriter.Row(group);
                table.AddRow([.. parts[p].Select(c => Markup.Escape(cells[c]))]);
            }

            AnsiConsole.Write(table);
        }

        foreach (var note in report.Notes)
        {
            AnsiConsole.MarkupLine("[grey]Not measured: " + Markup.Escape(note) + "[/]");
        }

        foreach (var (title, flagged) in QualityReportWriter.Flags(report).Where(f => f.Flagged.Count > 0))
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(title)}: {flagged.Count}[/]");
            foreach (var (d, why) in flagged.Take(5))
            {
                AnsiConsole.MarkupLine($"  #{d.Index} [[{Markup.Escape(d.Label)}]] {Markup.Escape(d.Text)} [grey]— {Markup.Escape(why)}[/]");
            }
        }
    }

    private static async Task<IReadOnlyList<Example>> ReadAsync(string path, ImportOptions options, CancellationToken ct)
    {
        var result = await ExampleFiles.ReadAsync(path, options, ct);
        if (result.Warnings.Count > 0)
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(path)}: {result.Warnings.Count} rows skipped (e.g. {Markup.Escape(result.Warnings[0].Message)})[/]");
        }

        return result.Examples;
    }
}
