using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LowResGen.Generation;

/// <summary>
/// Generates a labelled training set for a task in one language: for every class, asks the model for examples with the
/// strategy's prompt, splits and filters the answers (parse, length, duplicates, language, and the judge for revision),
/// and asks again until the class has its quota or the attempt limit is reached. Classes, and several requests of a class,
/// run concurrently. With an output directory every attempt and example is appended to JSONL as it happens, and a rerun
/// with the same settings resumes where the last one stopped.
/// </summary>
public sealed class GenerationRunner(IChatClient client, ILanguageIdentifier? languageIdentifier = null, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<GenerationResult> RunAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var concurrency = new SemaphoreSlim(Math.Max(1, request.Options.MaxConcurrency));
        var run = await PrepareAsync(request, concurrency, cancellationToken).ConfigureAwait(false);
        var descriptions = await DescribeLabelsAsync(run, cancellationToken).ConfigureAwait(false);
        var classes = request.Task.Labels.Select(label => new ClassRun(label, run, descriptions.GetValueOrDefault(label))).ToArray();

        // One class failing (the model is unreachable, say) stops the others rather than letting them run on.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = classes.Select(async c =>
        {
            try
            {
                await RunClassAsync(c, run, concurrency, failFast.Token).ConfigureAwait(false);
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
        finally
        {
            run.ExamplesLog?.Dispose();
            run.AttemptsLog?.Dispose();
        }

        var report = new GenerationReport(request.Task.Name, run.Language.Iso1, request.Strategy.Name, run.ModelId, request.PerClass,
            request.Options.Seed, run.Prompts.Template.Version, run.Judge?.Template.Version, run.Summarizer?.Template.Version,
            [.. classes.Select(c => c.Report())], [.. run.Warnings], descriptions.Values.Sum(d => d.Tokens), run.Resumed, stopwatch.Elapsed);
        var records = classes.SelectMany(c => c.Records).ToArray();
        var accepted = classes.SelectMany(c => c.AcceptedExamples()).ToArray();
        if (request.OutputDirectory is { } directory)
        {
            await GenerationOutputs.WriteAsync(directory, run.Language.Iso1, accepted, records, report, cancellationToken).ConfigureAwait(false);
        }

        foreach (var shortClass in report.ShortClasses)
        {
            _logger.LogWarning("Class {Label}: {Accepted} of {Quota} examples after {Attempts} attempts (attempt limit reached).",
                shortClass.Label, shortClass.Accepted, shortClass.Quota, shortClass.Attempts);
        }

        return new GenerationResult(accepted, records, [.. descriptions.Values], report);
    }

    private async Task<RunContext> PrepareAsync(GenerationRequest request, SemaphoreSlim concurrency, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.PerClass);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Options.BatchSize);
        var options = request.Options;
        var strategy = request.Strategy;
        var task = request.Task;
        var language = LanguageRegistry.Default.Resolve(request.Language);
        var modelId = LlmCalls.ModelIdOf(client, options.ModelId);

        var demonstrations = request.DemonstrationSelector;
        if (demonstrations is null && strategy.Demonstrations != DemonstrationSource.None)
        {
            var pool = strategy.Demonstrations == DemonstrationSource.English ? request.EnglishTrainingData : request.TargetTrainingData;
            if (pool.Count == 0)
            {
                throw new ArgumentException(
                    $"Strategy '{strategy.Name}' shows {(strategy.Demonstrations == DemonstrationSource.English ? "English" : language.EnglishName)} " +
                    "demonstrations, but no training data in that language was given.", nameof(request));
            }

            demonstrations = new RandomDemonstrationSelector(pool);
        }

        if (strategy.Description == LabelDescriptionSource.Human && task.Labels.Where(l => task.DescriptionOf(l) is null).ToArray() is { Length: > 0 } missing)
        {
            throw new ArgumentException(
                $"Strategy '{strategy.Name}' uses human-written descriptions, but task {task.Name} has none for: {string.Join(", ", missing)}.",
                nameof(request));
        }

        var warnings = new ConcurrentQueue<string>();
        var identifier = languageIdentifier;
        if (identifier is null)
        {
            warnings.Enqueue("No language identifier was given: examples were not checked for their language.");
        }
        else if (!identifier.Supports(language.Iso1))
        {
            warnings.Enqueue($"The language identifier does not know {language.EnglishName} ({language.Iso1}): examples were not checked for their language.");
            identifier = null;
        }

        var run = new RunContext
        {
            Request = request,
            Language = language,
            ModelId = modelId,
            Prompts = new GenerationPromptBuilder(PromptTemplate.Load(PromptTemplate.Generate, options.TemplateDirectory), options.AskForJsonList),
            Judge = strategy.Revision ? new RevisionJudge(client, PromptTemplate.Load(PromptTemplate.Judge, options.TemplateDirectory), concurrency) : null,
            Summarizer = strategy.Description == LabelDescriptionSource.Summarized
                ? new LabelSummarizer(client, PromptTemplate.Load(PromptTemplate.Describe, options.TemplateDirectory), modelId, concurrency)
                : null,
            Demonstrations = demonstrations,
            LanguageIdentifier = identifier,
            Length = options.Length ?? LengthRange.DefaultFor(task),
            Context = LlmCalls.ContextOf(client, options.FallbackContextLength),
            MaxAttempts = options.MaxAttemptsPerClass ?? Math.Max(3, 3 * (int)Math.Ceiling(request.PerClass / (double)options.BatchSize)),
            Warnings = warnings,
        };

        if (request.OutputDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            var paths = new GenerationOutputs(directory, language.Iso1);
            var manifest = new RunManifest(task.Name, language.Iso1, strategy.Name, modelId, options.Seed, run.Prompts.Template.Version,
                run.Judge?.Template.Version, run.Summarizer?.Template.Version);
            run.Resumed = await RunManifest.CheckOrWriteAsync(paths.Manifest, manifest, cancellationToken).ConfigureAwait(false);
            run.PreviousRecords = await JsonlLog<GeneratedExampleRecord>.ReadAsync(paths.Examples, cancellationToken).ConfigureAwait(false);
            run.PreviousAttempts = await JsonlLog<GenerationAttemptRecord>.ReadAsync(paths.Attempts, cancellationToken).ConfigureAwait(false);
            run.ExamplesLog = new JsonlLog<GeneratedExampleRecord>(paths.Examples);
            run.AttemptsLog = new JsonlLog<GenerationAttemptRecord>(paths.Attempts);
            run.Paths = paths;
        }

        return run;
    }

    private async Task<Dictionary<string, LabelDescription>> DescribeLabelsAsync(RunContext run,
        CancellationToken cancellationToken)
    {
        var request = run.Request;
        var task = request.Task;
        IReadOnlyList<LabelDescription> descriptions;
        switch (request.Strategy.Description)
        {
            case LabelDescriptionSource.Human:
                descriptions = [.. task.Labels.Select(l => new LabelDescription(task.Name, l, task.DescriptionOf(l)!, LabelDescription.Human))];
                break;
            case LabelDescriptionSource.Summarized:
                var (data, sourceLanguage) = request.TargetTrainingData.Count > 0
                    ? (request.TargetTrainingData, run.Language.Iso1)
                    : (request.EnglishTrainingData, "en");
                if (data.Count == 0)
                {
                    throw new ArgumentException(
                        $"Strategy '{request.Strategy.Name}' summarizes labels from training examples, but no training data was given.",
                        nameof(run));
                }

                var known = request.KnownDescriptions.ToList();
                if (run.Paths is { } paths && File.Exists(paths.Descriptions))
                {
                    known.AddRange(await LabelDescriptionStore.ReadAsync(paths.Descriptions, cancellationToken).ConfigureAwait(false));
                }

                descriptions = await run.Summarizer!.DescribeAllAsync(task, data, sourceLanguage, request.Strategy.SummaryExamplesPerLabel,
                    request.Options.Seed, known, cancellationToken).ConfigureAwait(false);
                break;
            default:
                return [];
        }

        if (run.Paths is { } output)
        {
            await LabelDescriptionStore.WriteAsync(output.Descriptions, descriptions, cancellationToken).ConfigureAwait(false);
        }

        return descriptions.ToDictionary(d => d.Label, StringComparer.Ordinal);
    }

    private async Task RunClassAsync(ClassRun state, RunContext run, SemaphoreSlim concurrency, CancellationToken cancellationToken)
    {
        var options = run.Request.Options;

        // Attempts answered before a crash but not (fully) processed: their answers are on disk, so process the rest now.
        foreach (var attempt in state.PreviousAttempts)
        {
            await ProcessAttemptAsync(state, run, attempt, cancellationToken).ConfigureAwait(false);
        }

        while (state.AcceptedCount < state.Quota && state.NextAttempt < run.MaxAttempts)
        {
            var remaining = state.Quota - state.AcceptedCount;
            var wave = Math.Min(Math.Min((int)Math.Ceiling(remaining / (double)options.BatchSize), Math.Max(1, options.MaxConcurrentAttemptsPerClass)),
                run.MaxAttempts - state.NextAttempt);
            var first = state.NextAttempt;
            state.NextAttempt += wave;
            var answers = await Task.WhenAll(Enumerable.Range(0, wave).Select(i =>
                RequestAsync(state, run, first + i, Math.Min(options.BatchSize, Math.Max(1, remaining - i * options.BatchSize)), concurrency,
                    cancellationToken))).ConfigureAwait(false);
            foreach (var attempt in answers)
            {
                await ProcessAttemptAsync(state, run, attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        _logger.LogInformation("Class {Label}: {Accepted}/{Quota} accepted after {Attempts} attempts.", state.Label, state.AcceptedCount,
            state.Quota, state.NextAttempt);
    }

    private async Task<GenerationAttemptRecord> RequestAsync(ClassRun state, RunContext run, int attempt, int count,
        SemaphoreSlim concurrency, CancellationToken cancellationToken)
    {
        var options = run.Request.Options;
        var strategy = run.Request.Strategy;
        var demonstrations = run.Demonstrations?.Select(state.Label, strategy.DemonstrationsPerLabel, attempt, options.Seed) ?? [];
        if (run.Demonstrations is not null && demonstrations.Count == 0 && attempt == 0)
        {
            run.Warnings.Enqueue($"No demonstrations of '{state.Label}' in the training data: its prompts show none.");
        }

        var prompt = run.Prompts.Build(state.Context, count + options.ExtraPerRequest, demonstrations, run.Context, options.MaxOutputTokens);
        if (prompt.DroppedDemonstrations > 0 && attempt == 0)
        {
            run.Warnings.Enqueue($"'{state.Label}': {prompt.DroppedDemonstrations} demonstration(s) dropped to fit the model's context.");
        }

        var sampling = new SamplingSettings(options.Temperature, options.TopP, options.MaxOutputTokens,
            StableSeed.Of(options.Seed, state.Label, attempt, "sampling"), attempt);
        var chatOptions = new ChatOptions
        {
            Temperature = sampling.Temperature,
            TopP = sampling.TopP,
            MaxOutputTokens = sampling.MaxOutputTokens,
            Seed = sampling.Seed,
        }.WithSampleIndex(attempt);
        if (options.AskForJsonList)
        {
            chatOptions.ResponseFormat = ExamplesFormat;
        }

        var response = await LlmCalls.GetResponseAsync(client, prompt.Messages, chatOptions, concurrency, cancellationToken).ConfigureAwait(false);
        var record = new GenerationAttemptRecord(state.Label, attempt, prompt.Hash, prompt.RequestedCount,
            [.. prompt.Demonstrations.Select(d => d.Id)], prompt.DroppedDemonstrations, sampling, response.Text, response.FinishReason?.Value,
            LlmCalls.TokensOf(response, prompt.Messages, response.Text), DateTimeOffset.UtcNow);
        if (run.AttemptsLog is { } log)
        {
            // The answer is paid for: persist it even when a sibling class's failure is cancelling this one.
            await log.AppendAsync([record], CancellationToken.None).ConfigureAwait(false);
        }

        state.AddTokens(record.Tokens);
        _logger.LogDebug("Class {Label} attempt {Attempt}: {Length} characters, finish {Finish}.", state.Label, attempt, response.Text.Length,
            record.FinishReason);
        return record;
    }

    private async Task ProcessAttemptAsync(ClassRun state, RunContext run, GenerationAttemptRecord attempt,
        CancellationToken cancellationToken)
    {
        var items = GeneratedTextParser.Parse(attempt.RawAnswer, attempt.FinishReason == ChatFinishReason.Length.Value);
        var alreadyRecorded = state.RecordedItems(attempt.Attempt);
        var records = new List<GeneratedExampleRecord>();
        var survivors = new List<GeneratedExampleRecord>();
        for (var i = 0; i < items.Count; i++)
        {
            if (alreadyRecorded.Contains(i))
            {
                continue;
            }

            var item = items[i];
            var record = state.NewRecord(attempt, i, item.Text);
            if (!item.IsCandidate)
            {
                records.Add(Reject(record, GenerationStages.Parse, item.Problem!));
            }
            else if (!run.Length.Contains(item.Text))
            {
                records.Add(Reject(record, GenerationStages.Length,
                    $"{LengthRange.Length(item.Text)} characters, outside {run.Length}"));
            }
            else if (state.Duplicates.Check(item.Text) is { } duplicate)
            {
                records.Add(Reject(record, GenerationStages.Duplicate, duplicate));
            }
            else if (run.LanguageIdentifier is { } identifier)
            {
                var guess = identifier.Identify(item.Text);
                record = record with { DetectedLanguage = guess.Iso1, LanguageConfidence = Math.Round(guess.Confidence, 4) };
                if (guess.Iso1 is not null && !string.Equals(guess.Iso1, run.Language.Iso1, StringComparison.OrdinalIgnoreCase))
                {
                    records.Add(Reject(record, GenerationStages.Language,
                        $"detected {guess.Iso1} ({guess.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}), expected {run.Language.Iso1}"));
                }
                else
                {
                    survivors.Add(record);
                }
            }
            else
            {
                survivors.Add(record);
            }
        }

        // Only as many as the quota still needs are judged; with revision, ask in rounds until enough said yes.
        var next = 0;
        while (next < survivors.Count && state.AcceptedCount + records.Count(r => r.Accepted) < state.Quota)
        {
            var needed = state.Quota - state.AcceptedCount - records.Count(r => r.Accepted);
            var round = survivors.Skip(next).Take(needed).ToArray();
            next += round.Length;
            if (run.Judge is not { } judge)
            {
                records.AddRange(round.Select(r => r with { Accepted = true }));
                continue;
            }

            var verdicts = await Task.WhenAll(round.Select(r => judge.JudgeAsync(state.Context, r.Text, cancellationToken))).ConfigureAwait(false);
            for (var j = 0; j < round.Length; j++)
            {
                var verdict = verdicts[j];
                var judged = round[j] with
                {
                    JudgeVerdict = verdict.Understood ? (verdict.Accepted ? "yes" : "no") : "unclear",
                    JudgeReason = verdict.Reason,
                    JudgeTemplateVersion = judge.Template.Version,
                    JudgeTokens = verdict.Tokens,
                };
                state.AddTokens(verdict.Tokens);
                records.Add(verdict.Accepted ? judged with { Accepted = true } : Reject(judged, GenerationStages.Judge, verdict.Reason));
            }
        }

        records.AddRange(survivors.Skip(next).Select(r => Reject(r, GenerationStages.Surplus, "the class already had its quota")));
        records.Sort((a, b) => a.Item.CompareTo(b.Item));
        if (run.ExamplesLog is { } log)
        {
            await log.AppendAsync(records, CancellationToken.None).ConfigureAwait(false);
        }

        state.Add(records);
    }

    private static GeneratedExampleRecord Reject(GeneratedExampleRecord record, string stage, string reason) =>
        record with { Accepted = false, RejectionStage = stage, RejectionReason = reason };

    internal const string ExamplesSchema =
        """{"type":"object","properties":{"examples":{"type":"array","items":{"type":"string"}}},"required":["examples"],"additionalProperties":false}""";

    // Parsed once: every attempt of every class asks for the same (immutable) format.
    private static readonly ChatResponseFormat ExamplesFormat = ChatResponseFormat.ForJsonSchema(
        JsonDocument.Parse(ExamplesSchema).RootElement.Clone(), "examples", "The generated texts.");

    /// <summary>Everything a run shares across its classes.</summary>
    private sealed class RunContext
    {
        public required GenerationRequest Request { get; init; }

        public required Language Language { get; init; }

        public required string ModelId { get; init; }

        public required GenerationPromptBuilder Prompts { get; init; }

        public required RevisionJudge? Judge { get; init; }

        public required LabelSummarizer? Summarizer { get; init; }

        public required IDemonstrationSelector? Demonstrations { get; init; }

        public required ILanguageIdentifier? LanguageIdentifier { get; init; }

        public required LengthRange Length { get; init; }

        public required (int ContextLength, Func<IReadOnlyList<ChatMessage>, int> Count)? Context { get; init; }

        public required int MaxAttempts { get; init; }

        public required ConcurrentQueue<string> Warnings { get; init; }

        public bool Resumed { get; set; }

        public GenerationOutputs? Paths { get; set; }

        public IReadOnlyList<GeneratedExampleRecord> PreviousRecords { get; set; } = [];

        public IReadOnlyList<GenerationAttemptRecord> PreviousAttempts { get; set; } = [];

        public JsonlLog<GeneratedExampleRecord>? ExamplesLog { get; set; }

        public JsonlLog<GenerationAttemptRecord>? AttemptsLog { get; set; }
    }

    /// <summary>The state of one class: its records so far, the duplicate tracker, the next attempt number and tokens spent.</summary>
    private sealed class ClassRun
    {
        private readonly RunContext _run;
        private readonly List<GeneratedExampleRecord> _records = [];
        private readonly LabelDescription? _description;
        private long _tokens;

        public ClassRun(string label, RunContext run, LabelDescription? description)
        {
            Label = label;
            _run = run;
            _description = description;
            Quota = run.Request.PerClass;
            Context = new LabelContext(run.Request.Task.Name, label, run.Request.Task.LabelKind, run.Language.EnglishName, description?.Text);
            PreviousAttempts = [.. run.PreviousAttempts.Where(a => a.Label == label).OrderBy(a => a.Attempt)];
            foreach (var record in run.PreviousRecords.Where(r => r.Label == label).OrderBy(r => r.Attempt).ThenBy(r => r.Item))
            {
                if (record.RejectionStage is not (GenerationStages.Parse or GenerationStages.Length))
                {
                    Duplicates.Check(record.Text);
                }

                _tokens += record.JudgeTokens;
                Add([record]);
            }

            _tokens += PreviousAttempts.Sum(a => a.Tokens);
            NextAttempt = Math.Max(PreviousAttempts.Select(a => a.Attempt + 1).DefaultIfEmpty(0).Max(),
                _records.Select(r => r.Attempt + 1).DefaultIfEmpty(0).Max());
        }

        public string Label { get; }

        public int Quota { get; }

        public LabelContext Context { get; }

        public IReadOnlyList<GenerationAttemptRecord> PreviousAttempts { get; }

        public DuplicateTracker Duplicates { get; } = new();

        public int NextAttempt { get; set; }

        public int AcceptedCount { get; private set; }

        public IReadOnlyList<GeneratedExampleRecord> Records => _records;

        public void AddTokens(long tokens) => Interlocked.Add(ref _tokens, tokens);

        public void Add(IEnumerable<GeneratedExampleRecord> records)
        {
            foreach (var record in records)
            {
                _records.Add(record);
                AcceptedCount += record.Accepted ? 1 : 0;
            }
        }

        public HashSet<int> RecordedItems(int attempt) => [.. _records.Where(r => r.Attempt == attempt).Select(r => r.Item)];

        public GeneratedExampleRecord NewRecord(GenerationAttemptRecord attempt, int item, string text) => new()
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"{_run.Request.Task.Name}-{_run.Language.Iso1}-{Label}-a{attempt.Attempt}-i{item}"),
            Text = text,
            Label = Label,
            Language = _run.Language.Iso1,
            Task = _run.Request.Task.Name,
            Accepted = false,
            Strategy = _run.Request.Strategy.Name,
            Model = _run.ModelId,
            Sampling = attempt.Sampling,
            TemplateVersion = _run.Prompts.Template.Version,
            PromptHash = attempt.PromptHash,
            DemonstrationSelector = _run.Demonstrations?.Name ?? "none",
            DemonstrationIds = attempt.DemonstrationIds,
            DescriptionSource = _description?.Source,
            Attempt = attempt.Attempt,
            Item = item,
            RawAnswer = attempt.RawAnswer,
            FinishReason = attempt.FinishReason,
            CreatedUtc = DateTimeOffset.UtcNow,
        };

        /// <summary>The accepted examples, at most the quota (a rerun with a smaller quota keeps the earliest).</summary>
        public IEnumerable<Example> AcceptedExamples() =>
            _records.Where(r => r.Accepted).OrderBy(r => r.Attempt).ThenBy(r => r.Item).Take(Quota)
                .Select(r => new Example(r.Id, r.Text, r.Label, r.Language, Splits.Generated, $"lowresgen:{r.Strategy}:{r.Model}"));

        public ClassReport Report() =>
            ClassReport.From(Label, Quota, NextAttempt, AcceptedCount < Quota && NextAttempt >= _run.MaxAttempts, _records,
                Interlocked.Read(ref _tokens));
    }
}
