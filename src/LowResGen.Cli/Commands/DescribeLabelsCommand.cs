using System.CommandLine;
using LowResGen.Data;
using LowResGen.Generation;
using Microsoft.Extensions.AI;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen describe-labels`: LLM-written label descriptions, stored with their provenance for reuse by `generate`.</summary>
internal static class DescribeLabelsCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Task: massive10 (intent), massive60, sib200 (topic) or sentiment.", Required = true };
        var language = new Option<string>("--language") { Description = "Language of the training examples shown to the model.", Required = true };
        var trainData = new Option<string>(CliNames.Train, CliNames.TrainData) { Description = "Training data; {lang}, {flores}, {locale} are replaced by the language's codes.", Required = true };
        var output = new Option<string>("--output") { Description = "JSON file of descriptions (kept entries made the same way are reused).", Required = true };
        var k = new Option<int>("--k") { Description = "Training examples shown per label.", DefaultValueFactory = _ => GenerationStrategy.DefaultK };
        var seed = new Option<int>("--seed") { Description = "Seed for drawing the examples.", DefaultValueFactory = _ => new GenerationOptions().Seed };
        var templates = new Option<string?>("--templates") { Description = "Directory with a describe.txt overriding the built-in prompt." };
        var languageName = new Option<string?>("--language-name") { Description = "The language's name in prompts (default: its English name from the registry)." };
        var model = new LlmOptions();
        var dryRun = DryRunOptions.Create();
        var command = new Command("describe-labels", "Summarize what each label means from k training examples, with an LLM.")
        {
            task, language, trainData, output, k, seed, templates, languageName,
        };
        model.AddTo(command);
        dryRun.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new DescribeSettings(parseResult.GetValue(task)!, parseResult.GetValue(language)!, parseResult.GetValue(trainData)!,
                parseResult.GetValue(output)!, parseResult.GetValue(k), parseResult.GetValue(seed), parseResult.GetValue(templates))
            {
                LanguageName = parseResult.GetValue(languageName),
            };
            return await CliErrors.GuardAsync(parseResult, async () =>
            {
                if (dryRun.Requested(parseResult))
                {
                    return await DryRunAsync(settings, model.CreateFactory(parseResult).ModelIdOf(parseResult.GetValue(model.Model)!),
                        dryRun.PromptsPerLabel(parseResult), parseResult.InvocationConfiguration.Output, cancellationToken);
                }

                using var loggerFactory = LlmOptions.ProgressLogging();
                var directory = Path.GetDirectoryName(Path.GetFullPath(settings.Output))!;
                Directory.CreateDirectory(directory);
                using var client = model.CreateFactory(parseResult, loggerFactory, defaultCachePath: LowResGen.Llm.LlmClientOptions.DefaultCachePathIn(directory))
                    .Create(parseResult.GetValue(model.Model)!);
                return await RunAsync(settings, client, parseResult.InvocationConfiguration.Output, cancellationToken);
            });
        });
        return command;
    }

    internal sealed record DescribeSettings(string Task, string Language, string TrainData, string Output, int K, int Seed, string? TemplateDirectory)
    {
        /// <summary>The language's name in prompts instead of the registry's (--language-name).</summary>
        public string? LanguageName { get; init; }
    }

    /// <summary>`describe-labels --dry-run`: the prompts of the labels not already described in the output file; nothing is sent or written.</summary>
    internal static async Task<int> DryRunAsync(DescribeSettings settings, string modelId, int promptsPerLabel, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.K);
        var reference = TaskResolver.Resolve(settings.Task);
        var task = reference.Definition;
        var language = LanguageRegistry.Default.Resolve(settings.Language);
        var examples = await GenerateCommand.TrainingDataAsync(settings.TrainData, language.Code, reference, cancellationToken);
        var known = File.Exists(settings.Output) ? await LabelDescriptionStore.ReadAsync(settings.Output, cancellationToken) : [];
        var plan = await LowResGen.DryRun.DryRunPlanner.DescriptionsAsync(task, examples, language.Code, settings.K, settings.Seed, known,
            settings.TemplateDirectory, modelId, promptsPerLabel, cancellationToken, settings.LanguageName);
        await output.WriteAsync(plan.ToText());
        return 0;
    }

    internal static async Task<int> RunAsync(DescribeSettings settings, IChatClient client, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.K);
        var reference = TaskResolver.Resolve(settings.Task);
        var task = reference.Definition;
        var language = LanguageRegistry.Default.Resolve(settings.Language);
        var examples = await GenerateCommand.TrainingDataAsync(settings.TrainData, language.Code, reference, cancellationToken);
        var known = File.Exists(settings.Output) ? await LabelDescriptionStore.ReadAsync(settings.Output, cancellationToken) : [];
        var summarizer = new LabelSummarizer(client, PromptTemplate.Load(PromptTemplate.Describe, settings.TemplateDirectory),
            LabelSummarizer.ModelIdOf(client))
        {
            LanguageName = settings.LanguageName,
        };
        var descriptions = await summarizer.DescribeAllAsync(task, examples, language.Code, settings.K, settings.Seed, known, cancellationToken);

        // Keep what the file held for other tasks, languages or models; replace the entries just made or reused.
        var merged = known.Where(d => !descriptions.Any(n => n.Task == d.Task && n.Label == d.Label && n.Model == d.Model
                && n.SourceLanguage == d.SourceLanguage && n.TemplateVersion == d.TemplateVersion))
            .Concat(descriptions);
        await LabelDescriptionStore.WriteAsync(settings.Output, merged, cancellationToken);
        foreach (var description in descriptions)
        {
            output.WriteLine($"{description.Label}: {description.Text}");
        }

        output.WriteLine($"{descriptions.Count} descriptions ({descriptions[0].Model}, {descriptions[0].TemplateVersion}) written to {settings.Output}");
        return 0;
    }
}
