using System.CommandLine;
using System.Globalization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using Spectre.Console;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen evaluate`: the reference protocol over one or more training sets, languages and tasks.</summary>
public static class EvaluateCommand
{
    private static readonly EvaluationOptions Defaults = new();

    public static Command Create(ClassifierTrainerRegistry trainers) => Create(trainers, out _);

    /// <param name="optionsOf">The evaluation options a parse gives, as the action reads them (tests compare them with the library's defaults).</param>
    internal static Command Create(ClassifierTrainerRegistry trainers, out Func<ParseResult, EvaluationOptions> optionsOf)
    {
        var train = new Option<string[]>(CliNames.Train)
        {
            Description = "Training file, as name=path or path (repeat to compare settings; the one named 'gold' is the reference). " +
                          "{lang} and {task} in the path are replaced per language and task.",
            Required = true,
        };
        var test = new Option<string>(CliNames.Test) { Description = "Gold test file (any importable format; {lang}/{task} allowed).", Required = true };
        var output = new Option<string>("--output") { Description = "Output directory (results.csv, predictions, confusion PNGs, summary.json).", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Number of seeds (0..N-1).", DefaultValueFactory = _ => Defaults.Seeds };
        var perClass = new Option<int>("--per-class") { Description = "At most this many training examples per class.", DefaultValueFactory = _ => Defaults.PerClass };
        var normalize = new Option<bool>("--normalize") { Description = "Lower-case and strip punctuation (training and test texts)." };
        var task = new Option<string?>("--task") { Description = "Task name (massive10/intent, sib200/topic, sentiment, ...): label order and label check." };
        var tasks = new Option<string?>("--tasks") { Description = "Comma-separated tasks, each into <output>/<task>/ (fills {task})." };
        var language = new Option<string?>("--language") { Description = "Language code of the data (fills {lang})." };
        var languages = new Option<string?>("--languages") { Description = "Comma-separated language codes, or 'all' for the 11 reference languages; each into <output>/<lang>/ (fills {lang}), then a report over them." };
        var reference = new Option<string?>("--reference") { Description = "The setting the others are compared with (default: gold, else the first)." };
        var classifier = new Option<string>("--classifier") { Description = "Student by name: ngram, encoder:<model>, ngram+encoder:<model>.", DefaultValueFactory = _ => ClassifierTrainerRegistry.DefaultName };
        var parallel = new Option<int>("--parallel") { Description = "How many (setting, seed) runs train at once.", DefaultValueFactory = _ => Defaults.MaxParallelism };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the confusion-matrix PNGs." };

        var command = new Command("evaluate", "Train a classifier on each training set with several seeds and evaluate on the gold test set.")
        {
            train, test, output, seeds, perClass, normalize, task, tasks, language, languages, reference, classifier, parallel, noPlots,
        };
        optionsOf = parseResult => new EvaluationOptions
        {
            Seeds = CliErrors.Positive(parseResult.GetValue(seeds), "--seeds"),
            PerClass = CliErrors.Positive(parseResult.GetValue(perClass), "--per-class"),
            Normalization = parseResult.GetValue(normalize) ? TextNormalization.Reference : Defaults.Normalization,
            MaxParallelism = CliErrors.Positive(parseResult.GetValue(parallel), "--parallel"),
            Reference = parseResult.GetValue(reference),
            WritePlots = !parseResult.GetValue(noPlots),
        };
        var optionsFrom = optionsOf;
        command.SetAction((parseResult, cancellationToken) => CliErrors.GuardAsync(parseResult, async () =>
        {
            var console = CliConsole.Create(parseResult);
            var trainer = trainers.Create(parseResult.GetValue(classifier)!);
            var request = BuildRequest(parseResult.GetValue(train)!, parseResult.GetValue(test)!, parseResult.GetValue(output)!,
                parseResult.GetValue(task), parseResult.GetValue(tasks), parseResult.GetValue(language), parseResult.GetValue(languages),
                optionsFrom(parseResult));
            await RunAsync(console, trainer, request, cancellationToken);
            return 0;
        }));
        return command;
    }

    private static EvaluationRequest BuildRequest(string[] train, string test, string output, string? task, string? tasks,
        string? language, string? languages, EvaluationOptions options)
    {
        var taskList = Split(tasks);
        var languageList = Split(languages);
        if (languageList is ["all"])
        {
            languageList = [.. LanguageRegistry.ReferenceLanguages];
        }

        foreach (var code in languageList.Append(language).OfType<string>())
        {
            LanguageRegistry.Default.Resolve(code);
        }

        return new EvaluationRequest
        {
            Train = [.. train.Select(TrainingSource.Parse)],
            Test = test,
            OutputDirectory = output,
            Tasks = taskList.Count > 0 ? taskList : task is null ? [] : [task],
            Languages = languageList.Count > 0 ? languageList : language is null ? [] : [language],
            TaskFolders = taskList.Count > 0,
            LanguageFolders = languageList.Count > 0,
            Options = options,
        };
    }

    private static async Task RunAsync(IAnsiConsole console, IClassifierTrainer trainer, EvaluationRequest request, CancellationToken cancellationToken)
    {
        var progress = new SynchronousProgress<EvaluationBatchProgress>(p => console.MarkupLineInterpolated(
            $"[grey]{Where(p.Task, p.Language)}{p.Run.Completed}/{p.Run.Total} {p.Run.Row.Setting} seed {p.Run.Row.Seed}: F1 {p.Run.Row.F1:F3}, accuracy {p.Run.Row.Accuracy:F3}{(p.Run.Resumed ? " (already done)" : "")}[/]"));
        console.MarkupLineInterpolated($"Classifier: [bold]{trainer.Name}[/]");
        await foreach (var item in new EvaluationBatch(trainer).RunAsync(request, progress, cancellationToken))
        {
            console.Write(SummaryTable(item.Summary, Where(item.Task, item.Language).TrimEnd(' ', ':')));
            foreach (var note in CountNotes(item.Summary))
            {
                console.MarkupLineInterpolated($"[yellow]{note}[/]");
            }

            if (item.ImportWarnings > 0)
            {
                console.MarkupLineInterpolated($"[yellow]{item.ImportWarnings} rows skipped while importing (empty texts).[/]");
            }

            console.MarkupLineInterpolated($"Written to [blue]{item.Summary.OutputDirectory}[/]");
        }

        if (request.LanguageFolders && request.Languages.Count > 1)
        {
            console.MarkupLineInterpolated($"Reports over languages: [blue]report.md[/] and gap PNGs in {Path.GetFullPath(request.OutputDirectory)}{(request.TaskFolders ? "/<task>" : "")}");
        }
    }

    private static Table SummaryTable(EvaluationSummary summary, string title)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.Title = new TableTitle(Markup.Escape(
            $"{(title.Length > 0 ? title + ": " : "")}{summary.Seeds} seeds, ≤{summary.PerClass} per class, {summary.TestExamples} test examples"));
        table.AddColumn("Setting");
        table.AddColumn(new TableColumn("Train used").RightAligned());
        table.AddColumn(new TableColumn("per class").RightAligned());
        table.AddColumn(new TableColumn("Macro-F1 %").RightAligned());
        table.AddColumn(new TableColumn("Accuracy %").RightAligned());
        table.AddColumn(new TableColumn($"ΔF1 vs {summary.Reference}").RightAligned());
        table.AddColumn(new TableColumn("ΔAcc").RightAligned());
        table.AddColumn(new TableColumn("p (paired t)").RightAligned());
        table.AddColumn(new TableColumn("95% CI ΔF1").RightAligned());
        table.AddColumn("Sig.");
        foreach (var setting in summary.Settings)
        {
            var f1 = setting.F1VersusReference;
            var accuracy = setting.AccuracyVersusReference;
            table.AddRow(
                Markup.Escape(setting.Name) + (setting.IsReference ? " [grey](ref)[/]" : ""),
                (setting.Used?.Total ?? setting.TrainingExamples).ToString(CultureInfo.InvariantCulture),
                setting.Used is null ? "" : Markup.Escape(setting.Used.Describe()) + (setting.Used.IsShort ? " [yellow]![/]" : ""),
                Markup.Escape(setting.F1.ToPoints(oneDistinctDraw: setting.OneDistinctDraw)),
                Markup.Escape(setting.Accuracy.ToPoints(oneDistinctDraw: setting.OneDistinctDraw)),
                f1 is null ? "" : Points(f1.MeanDifference),
                accuracy is null ? "" : Points(accuracy.MeanDifference),
                f1 is null || double.IsNaN(f1.TTest.PValue) ? "" : f1.TTest.PValue.ToString("0.0000", CultureInfo.InvariantCulture),
                f1 is null || double.IsNaN(f1.BootstrapLow) ? "" : $"[[{Points(f1.BootstrapLow)}, {Points(f1.BootstrapHigh)}]]",
                f1 is null ? "" : Markup.Escape(f1.Mark));
        }

        return table;
    }

    /// <summary>What the table's counts mean when a set is not the full size asked for, one line per setting.</summary>
    internal static IEnumerable<string> CountNotes(EvaluationSummary summary)
    {
        foreach (var setting in summary.Settings.Where(s => s.Used is not null))
        {
            if (setting.Used!.IsShort)
            {
                yield return $"! {setting.Name}: fewer than {summary.PerClass} per class in {setting.Used.ShortClasses.Count()} classes " +
                             $"({setting.Used.DescribeShortClasses()}); evaluated on the {setting.Used.Total} examples there are, not a full set.";
            }

            if (setting.OneDistinctDraw && summary.Seeds > 1)
            {
                yield return $"{setting.Name}: every seed trained on the same {setting.Used.Total} examples (no class above {summary.PerClass}), " +
                             "so the spread over seeds is the trainer's alone.";
            }
        }
    }

    private static string Where(string? task, string? language)
    {
        var where = string.Join(" / ", new[] { task, language }.OfType<string>());
        return where.Length == 0 ? "" : where + ": ";
    }

    private static string Points(double difference) => (difference * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

    private static List<string> Split(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}

/// <summary>A Spectre console over the invocation's output, plain text when that is not a terminal (tests, pipes).</summary>
internal static class CliConsole
{
    public static IAnsiConsole Create(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }
}
