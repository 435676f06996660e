using System.CommandLine;
using System.Globalization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.Llm.Models;
using LowResGen.LlmClassification;
using Microsoft.Extensions.AI;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen classify`: label a test set with an LLM, zero-shot or k-shot, and evaluate it like any classifier.</summary>
public static class ClassifyCommand
{
    public static Command Create() => Create(out _);

    /// <summary>What classify reads from a parse besides its files, as its action reads it (tests compare it with the library's defaults).</summary>
    internal sealed record ClassifySettings(string Mode, int K, string PoolName, int Repeats, LlmClassifierOptions Options);

    internal static Command Create(out Func<ParseResult, ClassifySettings> settingsOf)
    {
        var model = new ModelOptions();
        var test = new Option<string>(CliNames.Test) { Description = "Gold test file (CSV/TSV with text and label columns).", Required = true };
        var task = new Option<string>("--task") { Description = TaskDescription, Required = true };
        var language = new Option<string>("--language") { Description = "Language code of the texts.", Required = true };
        var mode = new Option<string>("--mode") { Description = "zero-shot or k-shot.", DefaultValueFactory = _ => "zero-shot" };
        var k = new Option<int>("--k") { Description = "Demonstrations per label (k-shot).", DefaultValueFactory = _ => LlmSetting.DefaultK };
        var demos = new Option<string?>(CliNames.Demonstrations, CliNames.DemosFrom) { Description = "File to draw the k-shot demonstrations from (gold or generated training data)." };
        var demosName = new Option<string>(CliNames.DemonstrationsName, CliNames.DemosName) { Description = "Name of the demonstration pool in the setting name (llm-5-shot-<name>).", DefaultValueFactory = _ => LlmSetting.DefaultPoolName };
        var repeats = new Option<int>("--repeats") { Description = "k-shot repeats, each with demonstrations drawn by its own seed (0..N-1).", DefaultValueFactory = _ => LlmSetting.DefaultRepeats };
        var output = new Option<string>("--output") { Description = "Output directory: results.csv, predictions.csv, confusion PNGs, llm-summary.json.", Required = true };
        var command = new Command("classify", "Classify a test set with an LLM (zero-shot or k-shot) and evaluate it like the other classifiers.")
        {
            test, task, language, mode, k, demos, demosName, repeats, output,
        };
        model.AddTo(command);
        var dryRun = DryRunOptions.Create();
        dryRun.AddTo(command);
        settingsOf = parseResult => new ClassifySettings(parseResult.GetValue(mode)!, parseResult.GetValue(k), parseResult.GetValue(demosName)!,
            parseResult.GetValue(repeats), model.ClassifierOptions(parseResult));
        var settingsFrom = settingsOf;
        command.SetAction(async (parseResult, cancellationToken) => await CliErrors.GuardAsync(parseResult, async () =>
        {
            var settings = settingsFrom(parseResult);
            var definition = await ResolveTaskAsync(parseResult.GetValue(task)!, parseResult.GetValue(test)!, cancellationToken);
            var lang = parseResult.GetValue(language)!;
            var testSet = await ReadAsync(parseResult.GetValue(test)!, definition, lang, Splits.Test, cancellationToken);
            var setting = settings.Mode switch
            {
                "zero-shot" => LlmSetting.ZeroShot,
                "k-shot" => LlmSetting.KShot(CliErrors.Positive(settings.K, "--k"), settings.PoolName,
                    await ReadAsync(parseResult.GetValue(demos) ?? throw new ArgumentException($"--mode k-shot needs {CliNames.Demonstrations} <file>."),
                        definition, lang, Splits.Train, cancellationToken)),
                var other => throw new ArgumentException($"Unknown --mode '{other}': expected zero-shot or k-shot."),
            };
            var seeds = Enumerable.Range(0, CliErrors.Positive(settings.Repeats, "--repeats")).ToArray();
            var writer = parseResult.InvocationConfiguration.Output;
            if (dryRun.Requested(parseResult))
            {
                var plan = await LowResGen.DryRun.DryRunPlanner.ClassificationAsync(definition, settings.Options, [setting], testSet, seeds,
                    model.ModelId(parseResult), dryRun.PromptsPerLabel(parseResult), cancellationToken);
                await writer.WriteAsync(plan.ToText());
                return;
            }

            using var client = model.CreateClient(parseResult, parseResult.GetValue(output)!, out var factory);
            var classifier = new LlmClassifier(client, definition, settings.Options);
            var summary = await new LlmEvaluationRunner(classifier, model.WritePlots(parseResult), new TenthsProgress(writer)).RunAsync([setting], testSet, seeds,
                parseResult.GetValue(output)!, new SynchronousProgress<LowResGen.Evaluation.ResultRow>(row => writer.WriteLine(Describe(row))), cancellationToken);
            foreach (var s in summary.Settings)
            {
                writer.WriteLine($"{s.Name}: macro-F1 {s.F1.ToPoints()}, accuracy {s.Accuracy.ToPoints()}, unmappable {s.Unmappable}/{s.Answers}");
            }

            ModelOptions.WriteUsage(writer, factory);

            writer.WriteLine($"Written to {summary.OutputDirectory}");
        }));
        return command;
    }

    internal const string TaskDescription =
        "Task: massive10/intent, massive60, sib200/topic, sentiment, sarcasm, a task file (.toml), or your own task's name (its labels are those of the test / input file).";

    internal static string Describe(LowResGen.Evaluation.ResultRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.Setting} seed {row.Seed}: macro-F1 {row.F1:F3}, accuracy {row.Accuracy:F3}");

    /// <summary>A built-in task or task file; any other name is the user's own task, whose labels are those of <paramref name="labelledFile"/>, sorted.</summary>
    internal static async Task<TaskDefinition> ResolveTaskAsync(string name, string labelledFile, CancellationToken cancellationToken) =>
        TaskResolver.TryResolve(name)?.Definition ?? new TaskDefinition(name,
            [.. (await ExampleFiles.ReadAsync(labelledFile, new ImportOptions(), cancellationToken)).Examples
                .Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    internal static async Task<IReadOnlyList<Example>> ReadAsync(string path, TaskDefinition task, string language, string split, CancellationToken cancellationToken) =>
        (await ExampleFiles.ReadAsync(path, new ImportOptions { Task = task, Language = language, Split = split }, cancellationToken)).Examples;

    /// <summary>Prints a run's progress at every tenth of its texts; reports arrive from several threads.</summary>
    internal sealed class TenthsProgress(TextWriter writer) : IProgress<LlmRunProgress>
    {
        private readonly Lock gate = new();

        public void Report(LlmRunProgress value)
        {
            var step = Math.Max(1, value.Total / 10);
            if (value.Total >= 50 && value.Classified % step == 0 && value.Classified < value.Total)
            {
                lock (gate)
                {
                    writer.WriteLine($"{value.Setting} seed {value.Seed}: {value.Classified}/{value.Total} texts");
                }
            }
        }
    }

    /// <summary>The options every LLM-classification command shares: the model (the shared <see cref="LlmOptions"/>) and how to ask it.</summary>
    internal sealed class ModelOptions
    {
        private readonly LlmOptions llm = new();
        private static readonly LlmClassifierOptions Defaults = new();

        /// <summary>The CLI's words for the library's choices, one table each way.</summary>
        private static readonly (string Name, ConstrainedOutput Value)[] ConstrainedNames =
            [("auto", ConstrainedOutput.Auto), ("off", ConstrainedOutput.Off), ("json-schema", ConstrainedOutput.JsonSchema)];

        private static readonly (string Name, LlmScoring Value)[] ScoringNames = [("generate", LlmScoring.Generate), ("logprob", LlmScoring.LogProbability)];

        private readonly Option<string> constrained = new("--constrained")
        {
            Description = "auto (the labels as a choice list / grammar), off (free text, mapped) or json-schema.",
            DefaultValueFactory = _ => ConstrainedNames.First(c => c.Value == Defaults.Constrained).Name,
        };

        private readonly Option<string> scoring = new("--scoring")
        {
            Description = "generate (answer, then map) or logprob (score each label; embedded models).",
            DefaultValueFactory = _ => ScoringNames.First(c => c.Value == Defaults.Scoring).Name,
        };

        private readonly Option<int> concurrency = new("--concurrency") { Description = "Requests in flight at once (embedded: sequences decoded together).", DefaultValueFactory = _ => Defaults.MaxConcurrency };
        private readonly Option<bool> noDescriptions = new("--no-descriptions") { Description = "Leave the label descriptions out of the prompt." };
        private readonly Option<bool> noPlots = new("--no-plots") { Description = "Skip the confusion-matrix PNGs." };

        public void AddTo(Command command)
        {
            llm.AddTo(command);
            foreach (var option in new Option[] { constrained, scoring, concurrency, noDescriptions, noPlots })
            {
                command.Options.Add(option);
            }
        }

        public string Model(ParseResult parseResult) => parseResult.GetValue(llm.Model)!;

        public bool WritePlots(ParseResult parseResult) => !parseResult.GetValue(noPlots);

        /// <summary>The model id the client would report, without creating it (no weights loaded).</summary>
        public string ModelId(ParseResult parseResult) => llm.CreateFactory(parseResult).ModelIdOf(Model(parseResult));

        /// <param name="outputDirectory">Where the response cache lives unless --llm-cache or --no-cache says otherwise: a rerun sends nothing again.</param>
        /// <param name="factory">The factory it came from: its usage, read after the run, counts every answer and scoring.</param>
        public IChatClient CreateClient(ParseResult parseResult, string outputDirectory, out LlmClientFactory factory)
        {
            var sequences = CliErrors.Positive(parseResult.GetValue(concurrency), "--concurrency");
            factory = llm.CreateFactory(parseResult, embeddedModel: path => new EmbeddedModelOptions(path, ParallelSequences: sequences),
                defaultCachePath: LlmClientOptions.DefaultCachePathIn(outputDirectory));
            return factory.Create(Model(parseResult));
        }

        /// <summary>The usage lines of a run (calls and tokens, cached ones apart), the same as a study prints.</summary>
        public static void WriteUsage(TextWriter writer, LlmClientFactory factory)
        {
            foreach (var usage in factory.Usage.Models)
            {
                writer.WriteLine(LlmOptions.UsageLine(usage));
            }
        }

        public LlmClassifierOptions ClassifierOptions(ParseResult parseResult) => new()
        {
            IncludeDescriptions = !parseResult.GetValue(noDescriptions),
            MaxConcurrency = CliErrors.Positive(parseResult.GetValue(concurrency), "--concurrency"),
            Constrained = Choose(ConstrainedNames, parseResult.GetValue(constrained)!, "--constrained"),
            Scoring = Choose(ScoringNames, parseResult.GetValue(scoring)!, "--scoring"),
        };

        private static T Choose<T>((string Name, T Value)[] names, string given, string option) =>
            names.FirstOrDefault(n => n.Name == given) is { Name: not null } found ? found.Value
                : throw new ArgumentException($"Unknown {option} '{given}': expected {string.Join(", ", names.Select(n => n.Name))}.");
    }
}
