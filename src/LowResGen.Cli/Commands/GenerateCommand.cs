using System.CommandLine;
using System.Globalization;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation.Metrics;
using LowResGen.Generation;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen generate`: a synthetic training set for one task, language and strategy (or several strategies).</summary>
internal static class GenerateCommand
{
    private static readonly string[] AcceptanceColumns = ["label", "accepted", "attempts"];

    /// <summary>The library's defaults, shown in --help and used when an option is not given; never repeated here.</summary>
    private static readonly GenerationOptions Defaults = new();

    public static Command Create() => Create(out _);

    /// <param name="settingsOf">What the command reads from a parse, the way its action reads it (tests compare it with the library's defaults).</param>
    internal static Command Create(out Func<ParseResult, GenerateSettings> settingsOf)
    {
        var task = new Option<string>("--task") { Description = CliText.Task, Required = true };
        var language = new Option<string>("--language") { Description = CliText.Language, Required = true };
        var languageName = new Option<string?>("--language-name") { Description = "The language's name in prompts (default: its English name from the registry)." };
        var labelColumn = new Option<string?>("--label-column") { Description = "Label column name of the generated CSVs (default: intent, the reference layout; readers accept any)." };
        var strategy = new Option<string>("--strategy")
        {
            Description = "A preset (sl, english-demos+sl, english-demos+revision, target-demos, target-demos+sl, target-demos+revision, " +
                "target-demos+sl+revision), a composition such as target-demos:k=5+human-desc+revision, translate (English gold examples " +
                "translated by the LLM; translate+revision), or @FILE with one per line.",
            Required = true,
        };
        var perClass = new Option<int>("--per-class") { Description = "Accepted examples wanted per label.", DefaultValueFactory = _ => GenerationRequest.DefaultPerClass };
        var trainData = new Option<string?>(CliNames.Train, CliNames.TrainData)
        {
            Description = "Training data for demonstrations and label summaries; {lang} is replaced by the ISO 639-1 code, {flores} by the " +
                "FLORES code, {locale} by the MASSIVE locale (e.g. ../shared/datasets/kinit-synthetic/intent/{lang}-train_human_parsed.csv).",
        };
        var output = new Option<string>("--output") { Description = "Output directory (a rerun into it resumes).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed for demonstrations and sampling.", DefaultValueFactory = _ => Defaults.Seed };
        var maxAttempts = new Option<int?>("--max-attempts") { Description = "Requests per label before giving up on its quota (default: 3x what the quota needs)." };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => Defaults.Temperature };
        var topP = new Option<float?>("--top-p") { Description = "Nucleus sampling threshold." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Answer token budget per request.", DefaultValueFactory = _ => Defaults.MaxOutputTokens };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples asked for per request (plus 2).", DefaultValueFactory = _ => Defaults.BatchSize };
        var templates = new Option<string?>("--templates") { Description = "Directory with generate.txt / judge.txt / describe.txt overriding the built-in prompts." };
        var descriptions = new Option<string?>("--descriptions") { Description = "Label descriptions from describe-labels to reuse." };
        var jsonList = new Option<bool>("--json-list") { Description = "Ask for a JSON list of strings (schema/grammar-constrained where supported)." };
        var minLength = new Option<int?>("--min-length") { Description = "Shortest accepted example in characters (default per task)." };
        var maxLength = new Option<int?>("--max-length") { Description = "Longest accepted example in characters (default per task)." };
        var noLanguageCheck = new Option<bool>("--no-language-check") { Description = "Do not reject examples that Lingua detects as another language." };
        var allowShortfall = new Option<bool>("--allow-shortfall")
        {
            Description = $"Exit 0 even when a label ends below --per-class after --max-attempts (default: exit code {CliErrors.Shortfall}).",
        };
        var model = new LlmOptions();
        var dryRun = DryRunOptions.Create();

        var command = new Command("generate", "Generate labelled examples for a task in a target language with an LLM.")
        {
            task, language, strategy, perClass, trainData, output, seed, maxAttempts, temperature, topP, maxTokens, batchSize,
            templates, descriptions, jsonList, minLength, maxLength, noLanguageCheck, allowShortfall, languageName, labelColumn,
        };
        model.AddTo(command);
        dryRun.AddTo(command);
        settingsOf = parseResult => new GenerateSettings(
                parseResult.GetValue(task)!, parseResult.GetValue(language)!, parseResult.GetValue(strategy)!, parseResult.GetValue(perClass),
                parseResult.GetValue(trainData), parseResult.GetValue(output)!, parseResult.GetValue(descriptions),
                !parseResult.GetValue(noLanguageCheck),
                new GenerationOptions
                {
                    Seed = parseResult.GetValue(seed),
                    MaxAttemptsPerClass = parseResult.GetValue(maxAttempts),
                    Temperature = parseResult.GetValue(temperature),
                    TopP = parseResult.GetValue(topP),
                    MaxOutputTokens = parseResult.GetValue(maxTokens),
                    BatchSize = parseResult.GetValue(batchSize),
                    TemplateDirectory = parseResult.GetValue(templates),
                    AskForJsonList = parseResult.GetValue(jsonList),
                    Length = LengthOption(parseResult.GetValue(minLength), parseResult.GetValue(maxLength), parseResult.GetValue(task)!),
                    LabelColumn = parseResult.GetValue(labelColumn) ?? Defaults.LabelColumn,
                })
        {
            AllowShortfall = parseResult.GetValue(allowShortfall),
            LanguageName = parseResult.GetValue(languageName),
        };
        var settingsFrom = settingsOf;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var (stdout, stderr) = (parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
            return await CliErrors.GuardAsync(parseResult, async () =>
            {
                var settings = settingsFrom(parseResult);
                if (dryRun.Requested(parseResult))
                {
                    return await DryRunAsync(settings, model.CreateFactory(parseResult).ModelIdOf(parseResult.GetValue(model.Model)!),
                        dryRun.PromptsPerLabel(parseResult), stdout, cancellationToken);
                }

                using var loggerFactory = LlmOptions.ProgressLogging();
                var factory = model.CreateFactory(parseResult, loggerFactory, defaultCachePath: LlmClientOptions.DefaultCachePathIn(settings.Output));
                IChatClient? client = null;
                try
                {
                    // The output folder (and the cache in it) appear only once every input has been read and found valid.
                    return await RunAsync(settings, () => client = factory.Create(parseResult.GetValue(model.Model)!), stdout, cancellationToken,
                        loggerFactory.CreateLogger("LowResGen.Generation"), stderr);
                }
                finally
                {
                    client?.Dispose();
                }
            });
        });
        return command;
    }

    /// <summary>Everything `generate` needs besides the model, so tests can drive it with any IChatClient.</summary>
    internal sealed record GenerateSettings(
        string Task,
        string Language,
        string Strategy,
        int PerClass,
        string? TrainData,
        string Output,
        string? DescriptionsFile,
        bool LanguageCheck,
        GenerationOptions Options)
    {
        /// <summary>Exit 0 even when a label ended below its quota after the attempt limit.</summary>
        public bool AllowShortfall { get; init; }

        /// <summary>The language's name in prompts instead of the registry's (--language-name).</summary>
        public string? LanguageName { get; init; }
    }

    internal static Task<int> RunAsync(GenerateSettings settings, IChatClient client, TextWriter output, CancellationToken cancellationToken,
        ILogger? logger = null, TextWriter? error = null) => RunAsync(settings, () => client, output, cancellationToken, logger, error);

    /// <param name="client">Called once, after every input was read and validated; it may create the output folder.</param>
    /// <returns>0, or <see cref="CliErrors.Shortfall"/> when a label ended below its quota (unless allowed).</returns>
    internal static async Task<int> RunAsync(GenerateSettings settings, Func<IChatClient> client, TextWriter output, CancellationToken cancellationToken,
        ILogger? logger = null, TextWriter? error = null)
    {
        var known = await KnownDescriptionsAsync(settings, cancellationToken);
        var requests = new List<GenerationRequest>();
        await foreach (var request in RequestsAsync(settings, known, cancellationToken))
        {
            requests.Add(request); // every input is read and validated before the output folder or the cache exist
        }

        // After the inputs are valid: an installed tool may have to fetch Lingua's models first (74 MB, once).
        var identifier = settings.LanguageCheck
            ? await new LinguaModelStore().IdentifierForAsync(LanguageRegistry.Default.Resolve(settings.Language).Code, null,
                new Progress<string>((error ?? Console.Error).WriteLine), cancellationToken)
            : null;

        var runner = new GenerationRunner(client(), identifier, logger);
        var shortRuns = new List<(string Run, ClassCounts Counts)>();
        foreach (var request in requests)
        {
            var result = await runner.RunAsync(request, cancellationToken);
            known.AddRange(result.Descriptions); // later strategies of the same file reuse these summaries
            PrintReport(output, result.Report, new GenerationOutputs(request.OutputDirectory!, request.Language));
            if (!result.Report.AllQuotasMet)
            {
                shortRuns.Add((request.Strategy.Name, new ClassCounts(settings.PerClass, result.Report.Classes.ToDictionary(c => c.Label, c => c.Accepted, StringComparer.Ordinal))));
            }
        }

        return CliErrors.ShortfallExit(error ?? output, shortRuns, settings.AllowShortfall, "--allow-shortfall");
    }

    /// <summary>`generate --dry-run`: the prompts and call counts of every strategy; nothing is sent or written.</summary>
    internal static async Task<int> DryRunAsync(GenerateSettings settings, string modelId, int promptsPerLabel, TextWriter output,
        CancellationToken cancellationToken)
    {
        await foreach (var request in RequestsAsync(settings, await KnownDescriptionsAsync(settings, cancellationToken), cancellationToken))
        {
            var plan = await LowResGen.DryRun.DryRunPlanner.GenerationAsync(request, modelId, promptsPerLabel, cancellationToken);
            await output.WriteAsync(plan.ToText());
        }

        return 0;
    }

    private static async Task<List<LabelDescription>> KnownDescriptionsAsync(GenerateSettings settings, CancellationToken cancellationToken) =>
        settings.DescriptionsFile is null ? [] : [.. await LabelDescriptionStore.ReadAsync(settings.DescriptionsFile, cancellationToken)];

    /// <summary>One request per strategy, with the training data it needs (files shared by strategies are read once).</summary>
    private static async IAsyncEnumerable<GenerationRequest> RequestsAsync(GenerateSettings settings, List<LabelDescription> known,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var task = TaskResolver.Resolve(settings.Task);
        var language = LanguageRegistry.Default.Resolve(settings.Language);
        IReadOnlyList<GenerationStrategy> strategies = settings.Strategy.StartsWith('@')
            ? await GenerationStrategy.ReadFileAsync(settings.Strategy[1..], cancellationToken)
            : [GenerationStrategy.Parse(settings.Strategy)];
        var loaded = new Dictionary<string, IReadOnlyList<Example>>(StringComparer.Ordinal); // strategies of one file share the data
        foreach (var strategy in strategies)
        {
            var paths = DataPathsFor(settings, strategy);
            yield return new GenerationRequest(task.Definition, language.Code, strategy, settings.PerClass)
            {
                EnglishTrainingData = paths.English is null ? [] : await ReadTrainingAsync(paths.English, "en", task.Definition, loaded, cancellationToken),
                TargetTrainingData = paths.Target is null ? [] : await ReadTrainingAsync(paths.Target, language.Code, task.Definition, loaded, cancellationToken),
                KnownDescriptions = known,
                OutputDirectory = strategies.Count == 1 ? settings.Output : Path.Combine(settings.Output, DirectoryName(strategy)),
                Options = settings.Options,
                LanguageName = settings.LanguageName,
            };
        }
    }

    /// <summary>The files a strategy reads, by the library's one rule (<see cref="GenerationDataPaths"/>), as study cells read them.</summary>
    internal static GenerationDataPaths DataPathsFor(GenerateSettings settings, GenerationStrategy strategy) =>
        GenerationDataPaths.For(strategy, settings.TrainData, null, TaskResolver.Resolve(settings.Task).Key,
            LanguageRegistry.Default.Resolve(settings.Language));

    /// <summary>Training examples of a language from a path template (describe-labels), read once per file.</summary>
    internal static async Task<IReadOnlyList<Example>> TrainingDataAsync(string? pattern, string language, TaskReference task, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw new ArgumentException("--train is required: the descriptions are summarized from training examples.");
        }

        return await ReadTrainingAsync(DataPaths.Expand(pattern, task.Key, language), language, task.Definition, null, cancellationToken);
    }

    private static async Task<IReadOnlyList<Example>> ReadTrainingAsync(string path, string language, TaskDefinition task,
        Dictionary<string, IReadOnlyList<Example>>? loaded, CancellationToken cancellationToken)
    {
        if (loaded is not null && loaded.TryGetValue(path, out var known))
        {
            return known;
        }

        var imported = await ExampleFiles.ReadAsync(path, new ImportOptions { Language = language, Task = task, Split = Splits.Train }, cancellationToken);
        if (loaded is not null)
        {
            loaded[path] = imported.Examples;
        }

        return imported.Examples;
    }

    private static LengthRange? LengthOption(int? min, int? max, string taskName)
    {
        if (min is null && max is null)
        {
            return null;
        }

        var defaults = TaskResolver.Resolve(taskName).Definition.GeneratedLength;
        return new LengthRange(min ?? defaults.MinCharacters, max ?? defaults.MaxCharacters);
    }

    private static string DirectoryName(GenerationStrategy strategy) =>
        string.Concat(strategy.Name.Select(c => char.IsLetterOrDigit(c) || c is '+' or '-' ? c : '_'));

    private static void PrintReport(TextWriter output, GenerationReport report, GenerationOutputs paths)
    {
        output.WriteLine($"{report.Task} / {report.Language} / {report.Strategy} / {report.Model}: {report.Accepted} examples{(report.Resumed ? " (resumed)" : "")}");
        output.WriteLine($"language check: {report.LanguageCheck}");
        var header = AcceptanceColumns.Concat(GenerationStages.InOrder.Select(s => s + "%")).Append("tokens/ex").ToArray();
        var rows = report.Classes.Select(c => new[]
            {
                c.Label, $"{c.Accepted}/{c.Quota}{(c.QuotaMet ? "" : " !")}", c.Attempts.ToString(CultureInfo.InvariantCulture),
            }
            .Concat(c.Stages.Select(s => s.Entered == 0 ? "-" : (100 * s.PassRate).ToString("0", CultureInfo.InvariantCulture)))
            .Append(c.TokensPerAccepted?.ToString("0", CultureInfo.InvariantCulture) ?? "-").ToArray()).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))));
        }

        foreach (var shortClass in report.ShortClasses)
        {
            output.WriteLine($"warning: {shortClass.Label} reached the attempt limit with {shortClass.Accepted} of {shortClass.Quota} examples.");
        }

        foreach (var warning in report.Warnings)
        {
            output.WriteLine("warning: " + warning);
        }

        output.WriteLine($"training set: {paths.Generated}");
        output.WriteLine($"rejected: {paths.Rejected}; provenance: {paths.Examples}; report: {paths.Report}");
    }
}
