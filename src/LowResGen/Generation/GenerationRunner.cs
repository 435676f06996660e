using System.Collections.Concurrent;
using System.Diagnostics;
using LowResGen.Common;
using LowResGen.Data;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LowResGen.Generation;

/// <summary>
/// Generates a labelled training set for a task in one language: one <see cref="ClassGenerator"/> per class asks the
/// strategy's <see cref="ICandidateSource"/> (new examples, or translations of English gold ones) for candidates and passes them through the <see cref="CandidatePipeline"/>
/// (parse, length, duplicate, language, surplus, judge) until the quota or the attempt limit; a <see cref="RunStore"/>
/// persists everything as it happens so that a rerun with the same settings resumes. Classes run concurrently; how many
/// LLM calls are in flight at once is the LLM middleware's business (its adaptive concurrency), not a second gate here.
/// </summary>
public sealed class GenerationRunner(IChatClient client, ILanguageIdentifier? languageIdentifier = null, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<GenerationResult> RunAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.PerClass);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Options.BatchSize);
        var stopwatch = Stopwatch.StartNew();
        var options = request.Options;
        var strategy = request.Strategy;
        var task = request.Task;
        var language = LanguageRegistry.Default.Resolve(request.Language);
        if (!string.IsNullOrWhiteSpace(request.LanguageName))
        {
            language = language with { EnglishName = request.LanguageName.Trim() };
        }

        var modelId = LlmCalls.ModelIdOf(client, options.ModelId);
        var demonstrations = DemonstrationsOf(request, language);
        CheckDescriptions(request);
        var warnings = new ConcurrentQueue<string>();
        var languageCheck = LanguageCheckFor(language, warnings);

        var prompts = new GenerationPromptBuilder(PromptTemplate.Load(strategy.Translate ? PromptTemplate.Translate : PromptTemplate.Generate,
            options.TemplateDirectory), options.AskForJsonList);
        if (strategy.Translate && request.EnglishTrainingData.Count == 0)
        {
            throw new ArgumentException($"Strategy '{strategy.Name}' translates English training examples, but no English training data was given.",
                nameof(request));
        }
        var judge = strategy.Revision ? new RevisionJudge(client, PromptTemplate.Load(PromptTemplate.Judge, options.TemplateDirectory)) : null;
        var summarizer = strategy.Description == LabelDescriptionSource.Summarized
            ? new LabelSummarizer(client, PromptTemplate.Load(PromptTemplate.Describe, options.TemplateDirectory), modelId)
            {
                // Summaries come from the target-language examples when there are any (else English, named by the registry).
                LanguageName = request.TargetTrainingData.Count > 0 ? request.LanguageName : null,
            }
            : null;
        var manifest = new RunManifest(task.Name, language.Code, strategy.Name, modelId, options.Seed, prompts.Template.Version,
            judge?.Template.Version, summarizer?.Template.Version);
        using var store = await RunStore.OpenAsync(request.OutputDirectory, manifest, cancellationToken).ConfigureAwait(false);

        var descriptions = await DescribeLabelsAsync(request, language, summarizer, store, cancellationToken).ConfigureAwait(false);
        var identity = new RunIdentity(task.Name, language.Code, strategy.Name, modelId, prompts.Template.Version, demonstrations?.Name ?? "none");
        ICandidateSource source = strategy.Translate
            ? new TranslationCandidateSource(client, identity, prompts.Template, options, request.EnglishTrainingData)
            : new PromptedCandidateSource(client, identity, prompts, demonstrations, strategy.DemonstrationsPerLabel, options,
                LlmCalls.ContextOf(client, options.FallbackContextLength), warnings);
        var length = options.Length ?? task.GeneratedLength;
        var maxAttempts = options.MaxAttemptsPerClass ?? Math.Max(3, 3 * (int)Math.Ceiling(request.PerClass / (double)options.BatchSize));
        var classes = task.Labels.Select(label =>
        {
            var description = descriptions.GetValueOrDefault(label);
            var context = new LabelContext(task.Name, label, task.LabelKind, language.EnglishName, description?.Text) { DisplayName = task.DisplayNameOf(label) };
            var plan = new ClassPlan(context, description?.Source);
            ICandidateFilter[] cheap = [new ParseFilter(), new LengthFilter(length), new DuplicateFilter(), new LanguageFilter(languageCheck)];
            ICandidateFilter[] costly = judge is null ? [] : [new JudgeFilter(judge, plan.Label)];
            return new ClassGenerator(plan, request.PerClass, maxAttempts, source, new CandidatePipeline(cheap, costly), store);
        }).ToArray();

        await RunAllAsync(classes, options, cancellationToken).ConfigureAwait(false);

        var report = new GenerationReport(task.Name, language.Code, strategy.Name, modelId, request.PerClass, options.Seed, prompts.Template.Version,
            judge?.Template.Version, summarizer?.Template.Version, [.. classes.Select(c => c.Report() with { LanguageCheck = languageCheck.Method })], [.. warnings],
            descriptions.Values.Sum(d => d.Tokens), store.Resumed, stopwatch.Elapsed)
        {
            LanguageCheck = languageCheck.Method,
        };
        var records = classes.SelectMany(c => c.Records).ToArray();
        var accepted = classes.SelectMany(c => c.AcceptedExamples()).ToArray();
        await store.WriteOutputsAsync(accepted, records, report, cancellationToken, options.LabelColumn).ConfigureAwait(false);
        foreach (var shortClass in report.ShortClasses)
        {
            _logger.ClassFellShort(shortClass.Label, shortClass.Accepted, shortClass.Quota, shortClass.Attempts);
        }

        return new GenerationResult(accepted, records, [.. descriptions.Values], report);
    }

    /// <summary>Runs every class at once; one failing (the model is unreachable, say) stops the others rather than letting them run on.</summary>
    private async Task RunAllAsync(IReadOnlyList<ClassGenerator> classes, GenerationOptions options, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = classes.Select(async c =>
        {
            try
            {
                await c.RunAsync(options.BatchSize, options.MaxConcurrentAttemptsPerClass, failFast.Token).ConfigureAwait(false);
                _logger.ClassFinished(c.Label, c.AcceptedCount, c.Quota, c.NextAttempt);
            }
            catch
            {
                await failFast.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Task.WhenAll reports the first task's exception, which may be a sibling's cancellation: report the cause.
            var cause = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private static IDemonstrationSelector? DemonstrationsOf(GenerationRequest request, Language language)
    {
        var strategy = request.Strategy;
        if (request.DemonstrationSelector is { } given || strategy.Demonstrations == DemonstrationSource.None)
        {
            return request.DemonstrationSelector;
        }

        var pool = strategy.Demonstrations == DemonstrationSource.English ? request.EnglishTrainingData : request.TargetTrainingData;
        if (pool.Count == 0)
        {
            throw new ArgumentException(
                $"Strategy '{strategy.Name}' shows {(strategy.Demonstrations == DemonstrationSource.English ? "English" : language.EnglishName)} " +
                "demonstrations, but no training data in that language was given.", nameof(request));
        }

        return new RandomDemonstrationSelector(pool);
    }

    private static void CheckDescriptions(GenerationRequest request)
    {
        var task = request.Task;
        if (request.Strategy.Description == LabelDescriptionSource.Human && task.Labels.Where(l => task.DescriptionOf(l) is null).ToArray() is { Length: > 0 } missing)
        {
            throw new ArgumentException(
                $"Strategy '{request.Strategy.Name}' uses human-written descriptions, but task {task.Name} has none for: {string.Join(", ", missing)}.",
                nameof(request));
        }
    }

    /// <summary>Lingua where it knows the language, else the script of its FLORES code, else nothing (said in a warning).</summary>
    private LanguageCheck LanguageCheckFor(Language language, ConcurrentQueue<string> warnings)
    {
        var check = LowResGen.Common.LanguageCheck.For(language, languageIdentifier);
        if (check.Method is "none" or "off")
        {
            warnings.Enqueue(languageIdentifier is null
                ? "No language identifier was given: examples were not checked for their language."
                : $"Neither Lingua nor a script check knows {language.EnglishName} ({language.Code}): examples were not checked for their language.");
        }

        return check;
    }

    private static async Task<Dictionary<string, LabelDescription>> DescribeLabelsAsync(GenerationRequest request, Language language,
        LabelSummarizer? summarizer, RunStore store, CancellationToken cancellationToken)
    {
        var task = request.Task;
        IReadOnlyList<LabelDescription> descriptions;
        switch (request.Strategy.Description)
        {
            case LabelDescriptionSource.Human:
                descriptions = [.. task.Labels.Select(l => new LabelDescription(task.Name, l, task.DescriptionOf(l)!, LabelDescription.Human))];
                break;
            case LabelDescriptionSource.Summarized:
                var (data, sourceLanguage) = request.TargetTrainingData.Count > 0
                    ? (request.TargetTrainingData, language.Code)
                    : (request.EnglishTrainingData, "en");
                if (data.Count == 0)
                {
                    throw new ArgumentException(
                        $"Strategy '{request.Strategy.Name}' summarizes labels from training examples, but no training data was given.",
                        nameof(request));
                }

                var known = request.KnownDescriptions.Concat(await store.StoredDescriptionsAsync(cancellationToken).ConfigureAwait(false)).ToArray();
                descriptions = await summarizer!.DescribeAllAsync(task, data, sourceLanguage, request.Strategy.SummaryExamplesPerLabel,
                    request.Options.Seed, known, cancellationToken).ConfigureAwait(false);
                break;
            default:
                return [];
        }

        await store.WriteDescriptionsAsync(descriptions, cancellationToken).ConfigureAwait(false);
        return descriptions.ToDictionary(d => d.Label, StringComparer.Ordinal);
    }
}
