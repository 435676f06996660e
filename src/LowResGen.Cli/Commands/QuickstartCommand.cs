using System.CommandLine;
using System.Globalization;
using LowResGen.Experiments;
using LowResGen.Llm.Models;
using LowResGen.Reporting;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen quickstart`: generate a small training set for one language and task, evaluate it against same-size gold data.</summary>
internal static class QuickstartCommand
{
    private static readonly QuickstartOptions Defaults = new();

    public static Command Create() => Create(out _);

    /// <param name="optionsOf">The quickstart options a parse gives, as the action reads them (tests compare them with the library's defaults).</param>
    internal static Command Create(out Func<ParseResult, QuickstartOptions> optionsOf)
    {
        var language = new Option<string>("--language") { Description = "Target language (any code or English name).", DefaultValueFactory = _ => Defaults.Language };
        var task = new Option<string?>("--task") { Description = "Task (intent, topic, sentiment, sib200); default: what the data holds." };
        var model = new Option<string?>("--model") { Description = "GGUF path, cache name, server URL (http://host:8000/v1#model) or llm.toml name; default: pull the quickstart model." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Local data (kinit-synthetic or SIB-200 layout) for offline machines; default: download SIB-200." };
        var strategy = new Option<string>("--strategy") { Description = "Generation strategy: a preset or a composition.", DefaultValueFactory = _ => Defaults.Strategy };
        var perClass = new Option<int>("--per-class") { Description = "Examples per class, generated and gold.", DefaultValueFactory = _ => Defaults.PerClass };
        var seeds = new Option<int>("--seeds") { Description = "Classifier seeds.", DefaultValueFactory = _ => Defaults.Seeds };
        var attempts = new Option<int>("--max-attempts") { Description = "LLM attempts per class before giving up on its quota.", DefaultValueFactory = _ => Defaults.MaxAttempts };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest answer per generation request, in tokens.", DefaultValueFactory = _ => Defaults.MaxOutputTokens };
        var noLanguageCheck = new Option<bool>("--no-language-check") { Description = "Keep generated examples whatever language they are in." };
        var output = new Option<string>("--output") { Description = "Output folder (resumable: rerun to continue).", DefaultValueFactory = _ => Defaults.OutputDirectory };
        var datasetUrl = new Option<Uri?>("--dataset-base-url") { Description = "Mirror of the SIB-200 release." };
        var modelUrl = new Option<Uri?>("--model-base-url") { Description = "Mirror of Hugging Face for the default model." };
        var encoder = new Option<string?>("--encoder")
        {
            Description = "Encoder of the second student row (ONNX folder, GGUF, server URL or llm.toml name); default: " +
                $"{DefaultModels.Encoder.CacheName} when it is in the model cache (never downloaded here; `models pull encoder`).",
        };
        var noEncoder = new Option<bool>("--no-encoder") { Description = "Evaluate with the n-gram student only." };
        var languageName = new Option<string?>("--language-name") { Description = "The language's name in prompts (default: its English name from the registry)." };
        var allowShortfall = new Option<bool>("--allow-shortfall")
        {
            Description = $"Exit 0 even when a class ends below --per-class after --max-attempts (default: exit code {CliErrors.Shortfall}).",
        };
        var command = new Command("quickstart", "Generate a small synthetic training set with an LLM and measure it against same-size gold data.")
        {
            language, task, model, dataDir, strategy, perClass, seeds, attempts, maxTokens, noLanguageCheck, output, datasetUrl, modelUrl,
            allowShortfall, encoder, noEncoder, languageName,
        };
        optionsOf = parse => new QuickstartOptions
        {
            Language = parse.GetValue(language)!,
            Task = parse.GetValue(task),
            Model = parse.GetValue(model),
            DataDirectory = parse.GetValue(dataDir),
            Strategy = parse.GetValue(strategy)!,
            PerClass = parse.GetValue(perClass),
            Seeds = parse.GetValue(seeds),
            MaxAttempts = parse.GetValue(attempts),
            MaxOutputTokens = parse.GetValue(maxTokens),
            LanguageCheck = !parse.GetValue(noLanguageCheck),
            OutputDirectory = parse.GetValue(output)!,
            DatasetBaseUrl = parse.GetValue(datasetUrl),
            ModelBaseUrl = parse.GetValue(modelUrl),
            Encoder = parse.GetValue(encoder),
            NoEncoder = parse.GetValue(noEncoder),
            LanguageName = parse.GetValue(languageName),
        };
        var optionsFrom = optionsOf;
        command.SetAction(async (parse, ct) => await CliErrors.GuardAsync(parse, async () =>
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var log = new Progress<string>(Console.WriteLine);
            var study = await Quickstart.PrepareAsync(optionsFrom(parse), http, log, ct);

            Console.WriteLine($"Generating {study.PerClass} examples per class of {study.Tasks[0]} in {study.Languages[0]} with {study.Models[0].Name} ({study.Strategies[0]}), then evaluating over {study.Seeds} seeds ...");
            await using var executor = await StudyCellExecutor.CreateAsync(study, null, log, ct);
            var result = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, ct);
            foreach (var failure in result.Failures)
            {
                Console.Error.WriteLine(CliErrors.Prefix + $"cell {failure.Cell.Name} failed: {failure.Error}");
            }

            var data = await StudyReportBuilder.GatherAsync(study, ct);
            var (html, _) = await StudyReportBuilder.WriteAsync(data, ct);
            var table = ResultTable(study, data);
            AnsiConsole.Write(table);
            Console.WriteLine($"{executor.AcceptedExamples} examples accepted in this run. Report: {html}");
            var shortfall = CliErrors.ShortfallExit(parse.InvocationConfiguration.Error, [.. result.Shortfalls.Select(f => (f.Cell.Name, f.Counts))],
                parse.GetValue(allowShortfall), "--allow-shortfall");
            return result.Failures.Count > 0 ? CliErrors.UserError : shortfall;
        }));
        return command;
    }

    /// <summary>One row per setting and student: the n-gram student, and the encoder student when there is one.</summary>
    internal static Table ResultTable(StudyDefinition study, StudyReportData data)
    {
        var gaps = StudyReportWriter.Tables(data).SelectMany(t => t.Rows).GroupBy(r => (r.Setting, r.Student ?? study.Students[0]))
            .ToDictionary(g => g.Key, g => g.First().Cells[0]?.GapPoints);
        var table = new Table().AddColumns("setting", "student", $"examples/class (asked {study.PerClass})", "macro-F1 (%)", "accuracy (%)", "gap to gold (F1 points)");
        foreach (var cell in data.Cells.Where(c => c.Scores.Count > 0)
            .OrderBy(c => study.Students.ToList().IndexOf(StudyRecords.StudentOf(c, study))).ThenBy(c => c.Kind != CellKind.Gold))
        {
            var student = StudyRecords.StudentOf(cell, study);
            var f1 = LowResGen.Evaluation.Metrics.MeanStd.Of([.. cell.Scores.Select(s => s.MacroF1)]);
            var accuracy = LowResGen.Evaluation.Metrics.MeanStd.Of([.. cell.Scores.Select(s => s.Accuracy)]);
            var gap = gaps.GetValueOrDefault((cell.Setting, student));
            var oneDraw = cell.Counts?.OneDistinctDraw == true;
            table.AddRow(Markup.Escape(cell.Setting), Markup.Escape(student),
                cell.Counts is { } counts ? Markup.Escape(counts.Describe()) + (counts.IsShort ? " [yellow]![/]" : "") : study.PerClass.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(f1.ToPoints(oneDistinctDraw: oneDraw)), Markup.Escape(accuracy.ToPoints(oneDistinctDraw: oneDraw)),
                gap is { } g ? g.ToString("+0.0;-0.0", CultureInfo.InvariantCulture) : "–");
        }

        return table;
    }
}
