using System.Collections.Concurrent;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Evaluation.Metrics;
using LowResGen.Generation;
using LowResGen.Llm;
using LowResGen.Llm.Middleware;
using LowResGen.LlmClassification;
using Microsoft.Extensions.AI;

namespace LowResGen.Experiments;

/// <summary>
/// The real work of study cells: generation through <see cref="GenerationRunner"/>, evaluation through
/// <see cref="EvaluationRunner"/>, LLM classification through <see cref="LlmClassifier"/>. One LLM client per model is
/// shared by every cell, so all cells' requests meet in one middleware stack (one cache, one concurrency limit).
/// </summary>
public sealed class StudyCellExecutor : IStudyCellExecutor, IAsyncDisposable
{
    private readonly StudyDefinition _study;
    private readonly LlmClientFactory _llm;
    private readonly Func<string, IClassifierTrainer> _trainer;
    private readonly Func<string, ILanguageIdentifier?> _languages;
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<Example>>>> _data = new(StringComparer.Ordinal);
    private long _accepted;

    /// <param name="trainer">The one student of every evaluation, whatever the study names.</param>
    public StudyCellExecutor(StudyDefinition study, LlmClientFactory llm, Func<IClassifierTrainer> trainer, ILanguageIdentifier? languages)
        : this(study, _ => languages, llm, _ => trainer())
    {
    }

    /// <param name="students">Where the study's students come from, by name (the study's <c>classifiers</c>).</param>
    public StudyCellExecutor(StudyDefinition study, LlmClientFactory llm, ClassifierTrainerRegistry students, ILanguageIdentifier? languages)
        : this(study, _ => languages, llm, Validated(study, students))
    {
    }

    /// <param name="languages">The identifier for a target language (null: no language check).</param>
    private StudyCellExecutor(StudyDefinition study, Func<string, ILanguageIdentifier?> languages, LlmClientFactory llm, Func<string, IClassifierTrainer> trainer)
    {
        _study = study;
        _llm = llm;
        _trainer = trainer;
        _languages = languages;
    }

    /// <summary><see cref="Create"/> with Lingua's models located first (fetched once when the tool was installed without them).</summary>
    public static async Task<StudyCellExecutor> CreateAsync(StudyDefinition study, LlmClientOptions? llmOptions, IProgress<string>? log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(study);
        var models = study.LanguageCheck
            ? await new LinguaModelStore().DirectoryForAsync(study.Languages, null, log, cancellationToken).ConfigureAwait(false)
            : null;
        return Create(study, llmOptions, models);
    }

    /// <summary>The executor a study run uses by default: response cache in the output folder, the study's classifier, Lingua.</summary>
    /// <param name="linguaModels">Lingua's models folder (<see cref="LinguaModelStore"/>); null = beside the application.</param>
    public static StudyCellExecutor Create(StudyDefinition study, LlmClientOptions? llmOptions = null, string? linguaModels = null)
    {
        // Models resolve through llm.toml exactly as in the other commands (named models, api_key_env, limits, prices).
        var options = llmOptions ?? new LlmClientOptions();
        options = options with { CachePath = Path.Combine(study.OutputDirectory, "llm-cache.db"), Config = options.Config ?? LlmConfig.LoadDefault() };
        // Encoder students open their model on first use and share one embedding cache, so that seeds, sizes and settings
        // embed each text once per encoder.
        var registry = ClassifierTrainerRegistry.WithDefaultEncoders(Path.Combine(study.OutputDirectory, "embedding-cache.db"));
        var students = Validated(study, registry);
        // One Lingua detector per target language: the reference languages plus the target, so that a study in Yoruba is
        // checked by Lingua's Yoruba model (a language Lingua lacks gets the script check of the generation runner).
        var detectors = new ConcurrentDictionary<string, Lazy<ILanguageIdentifier>>(StringComparer.Ordinal);
        return new StudyCellExecutor(study,
            study.LanguageCheck
                ? language => detectors.GetOrAdd(language, l => new Lazy<ILanguageIdentifier>(() => LinguaLanguageIdentifier.ForTarget(l, linguaModels))).Value
                : _ => null,
            new LlmClientFactory(options), students);
    }

    /// <summary>The study's students by name, each checked now (an unknown name fails before the run, not in its middle).</summary>
    private static Func<string, IClassifierTrainer> Validated(StudyDefinition study, ClassifierTrainerRegistry registry)
    {
        foreach (var student in study.Students)
        {
            registry.Validate(student);
        }

        return name => registry.Create(name);
    }

    /// <summary>Examples accepted by generation cells in this process so far.</summary>
    public long AcceptedExamples => Interlocked.Read(ref _accepted);

    public LlmClientFactory Llm => _llm;

    public Task<CellOutcome> ExecuteAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken) => cell.Kind switch
    {
        CellKind.Gold => GoldAsync(cell, context, cancellationToken),
        CellKind.Generate => GenerateAsync(cell, context, cancellationToken),
        CellKind.Evaluate => EvaluateAsync(cell, context, cancellationToken),
        CellKind.Classify => ClassifyAsync(cell, context, cancellationToken),
        CellKind.Baseline => BaselineAsync(cell, context, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell.Kind, "unknown cell kind"),
    };

    private async Task<CellOutcome> GoldAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken)
    {
        var train = await TrainAsync(cell.Task, cell.Language, cancellationToken).ConfigureAwait(false);
        return await EvaluateSettingAsync(cell, new EvaluationSetting("gold", train), context.CellDirectory, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CellOutcome> BaselineAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken)
    {
        var setting = StudySetting.Parse(cell.Setting);
        var english = setting.Kind == StudySettingKind.Transfer ? await EnglishTrainAsync(cell.Task, cancellationToken).ConfigureAwait(false) : [];
        var target = setting.Kind == StudySettingKind.FewGold ? await TrainAsync(cell.Task, cell.Language, cancellationToken).ConfigureAwait(false) : [];
        var (train, perClass) = setting.BaselineSet(english, target, cell.PerClass ?? _study.PerClass);
        return await EvaluateSettingAsync(cell, new EvaluationSetting(cell.Setting, train), context.CellDirectory, cancellationToken, perClass)
            .ConfigureAwait(false);
    }

    private async Task<CellOutcome> GenerateAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken)
    {
        var task = _study.TaskOf(cell.Task);
        var request = await GenerationRequestAsync(cell, context.CellDirectory, cancellationToken).ConfigureAwait(false);
        var result = await new GenerationRunner(Client(ModelOf(cell)), _languages(cell.Language)).RunAsync(request, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _accepted, result.Accepted.Count);
        if (result.Accepted.Count == 0)
        {
            // Not a finished cell with F1 0.0: a rerun (after the server or the prompts are fixed) must try again.
            throw new InvalidOperationException(
                $"generation accepted no example ({result.Records.Count} candidates rejected, {result.Report.Classes.Sum(c => c.Attempts)} attempts; see {context.CellDirectory})");
        }

        return new CellOutcome([], new GenerationOutputs(context.CellDirectory, cell.Language).Generated, result.Report.LlmTokens,
            new ClassCounts(_study.PerClass, result.Report.Classes.ToDictionary(c => c.Label, c => c.Accepted, StringComparer.Ordinal)))
        {
            // From the run's records, so that a resumed cell counts what its earlier runs sent too: one request per attempt,
            // one per judge verdict, and one per label description the run asked for.
            LlmCalls = result.Report.Classes.Sum(c => (long)c.Attempts) + result.Records.Count(r => r.JudgeVerdict is not null)
                + (result.Report.DescriptionTokens > 0 ? task.Labels.Count : 0),
        };
    }

    /// <summary>What a generation cell asks the runner for (a dry run plans the same request, without an output folder).</summary>
    public async Task<GenerationRequest> GenerationRequestAsync(StudyCell cell, string? outputDirectory, CancellationToken cancellationToken)
    {
        var task = _study.TaskOf(cell.Task);
        var strategy = GenerationStrategy.Parse(cell.Strategy!);
        var paths = _study.GenerationDataFor(cell.Task, cell.Language, strategy);
        return new GenerationRequest(task, cell.Language, strategy, _study.PerClass)
        {
            // Only the data the strategy reads (GenerationStrategy says which), so that a language without English data can run.
            TargetTrainingData = paths.Target is null ? [] : await LoadAsync(paths.Target, cell.Language, task, cancellationToken).ConfigureAwait(false),
            EnglishTrainingData = paths.English is null ? [] : await LoadAsync(paths.English, "en", task, cancellationToken).ConfigureAwait(false),
            OutputDirectory = outputDirectory,
            LanguageName = _study.LanguageNames.GetValueOrDefault(cell.Language),
            Options = new GenerationOptions
            {
                Seed = _study.GenerationSeed,
                MaxAttemptsPerClass = _study.MaxAttempts,
                Temperature = (float)_study.Temperature,
                MaxOutputTokens = _study.MaxOutputTokens,
                ModelId = ModelOf(cell).Name,
            },
        };
    }

    private async Task<CellOutcome> EvaluateAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken)
    {
        var generated = context.Upstream?.ArtifactPath ?? throw new InvalidOperationException("evaluation cell without its generated set");
        var task = _study.TaskOf(cell.Task);
        var train = await LoadAsync(generated, cell.Language, task, cancellationToken).ConfigureAwait(false);
        var setting = StudySetting.Parse(cell.Setting);
        var added = setting.GoldPerClass == 0
            ? []
            : StudySetting.MixedGold(await TrainAsync(cell.Task, cell.Language, cancellationToken).ConfigureAwait(false), task.Labels, setting.GoldPerClass,
                _study.GenerationSeed);
        return await EvaluateSettingAsync(cell, new EvaluationSetting(cell.Setting, train) { Added = added }, context.CellDirectory,
            cancellationToken).ConfigureAwait(false);
    }

    /// <param name="perClass">The examples per class each seed draws; null means the cell's size (few-gold:k draws k).</param>
    private async Task<CellOutcome> EvaluateSettingAsync(StudyCell cell, EvaluationSetting training, string directory,
        CancellationToken cancellationToken, int? perClass = null)
    {
        var setting = training.Name;
        var task = _study.TaskOf(cell.Task);
        var test = await TestAsync(cell.Task, cell.Language, cancellationToken).ConfigureAwait(false);
        // The counts of the balanced draw (for mix:k, of its generated part; the k gold per class come on top).
        perClass ??= cell.PerClass ?? _study.PerClass;
        var used = ClassCounts.OfBalanced(task.Labels, training.Train.Select(e => e.Label), perClass.Value);
        if ((training.Train.Count == 0 && training.Added.Count == 0) || test.Count == 0)
        {
            // Scores of an empty set would be recorded as a finished 0.0 and never retried: the cell fails instead.
            throw new InvalidOperationException($"nothing to evaluate: {(test.Count == 0 ? "the test set" : "the training set")} of '{setting}' is empty");
        }

        // Every size draws with the same seeds: TrainingSetSampler's draw of n per class is the first n of its draw of
        // more, so the sets of a learning curve are nested.
        var runner = new EvaluationRunner(_trainer(cell.Student ?? _study.Students[0]), new EvaluationOptions
        {
            Seeds = _study.Seeds,
            PerClass = perClass.Value,
            Normalization = _study.Normalize ? TextNormalization.Reference : TextNormalization.None,
            Reference = setting,
            MaxParallelism = 1,
        });
        var summary = await runner.RunAsync(task, [training], test, directory, null, cancellationToken).ConfigureAwait(false);
        var rows = await ResultsFile.ReadAsync(new EvaluationOutputs(summary.OutputDirectory).Results, cancellationToken).ConfigureAwait(false);
        return new CellOutcome([.. rows.Where(r => r.Setting == setting).Select(r => new SeedScore(r.Seed, r.F1, r.Accuracy))], directory, Counts: used);
    }

    private async Task<CellOutcome> ClassifyAsync(StudyCell cell, CellContext context, CancellationToken cancellationToken)
    {
        var (task, setting, scoring, test, seeds) = await ClassificationInputAsync(cell, context.Upstream?.ArtifactPath, cancellationToken).ConfigureAwait(false);
        // Not disposed: it would dispose the model's client, which the other cells share.
        var counting = new TokenCountingChatClient(Client(ModelOf(cell)));
        var runner = new LlmEvaluationRunner(new LlmClassifier(counting, task, new LlmClassifierOptions { Scoring = scoring }));
        var summary = await runner.RunAsync([setting], test, seeds, context.CellDirectory, null, cancellationToken).ConfigureAwait(false);
        return new CellOutcome([.. summary.Rows.Select(r => new SeedScore(r.Seed, r.F1, r.Accuracy))], context.CellDirectory, counting.Tokens)
        {
            LlmCalls = counting.Calls,
        };
    }

    /// <summary>
    /// What an LLM classification cell classifies, how, and over which seeds (a dry run plans the same). k-shot from the
    /// generated set needs <paramref name="generatedPath"/>, the upstream cell's output.
    /// </summary>
    public async Task<(TaskDefinition Task, LlmSetting Setting, LlmScoring Scoring, IReadOnlyList<Example> Test, int[] Seeds)> ClassificationInputAsync(StudyCell cell,
        string? generatedPath, CancellationToken cancellationToken)
    {
        var task = _study.TaskOf(cell.Task);
        var test = await TestAsync(cell.Task, cell.Language, cancellationToken).ConfigureAwait(false);
        if (_study.LlmClassificationLimit > 0 && test.Count > _study.LlmClassificationLimit)
        {
            test = TrainingSetSampler.Balance(test, Math.Max(1, _study.LlmClassificationLimit / task.Labels.Count), _study.GenerationSeed);
        }

        // Setting names as in the study file: zero-shot, <k>-shot-gold, <k>-shot-generated, each optionally +logprob (the
        // cell's name adds "llm-").
        var (prompting, scoring) = LlmSetting.SplitScoring(cell.Setting);
        if (!LlmSetting.TryParseName(prompting, out var k, out var poolName) || poolName is not (null or "gold" or "generated"))
        {
            throw new ArgumentException(
                $"Unknown LLM classification setting '{cell.Setting["llm-".Length..]}': use zero-shot, <k>-shot-gold or <k>-shot-generated, optionally with {LlmSetting.LogProbabilitySuffix}.");
        }

        var setting = poolName switch
        {
            null => LlmSetting.ZeroShot,
            "generated" => LlmSetting.KShot(k, poolName, await LoadAsync(generatedPath ?? throw new InvalidOperationException(
                $"{cell.Name} draws its demonstrations from a generated set that does not exist yet"), cell.Language, task, cancellationToken).ConfigureAwait(false)),
            _ => LlmSetting.KShot(k, poolName, await TrainAsync(cell.Task, cell.Language, cancellationToken).ConfigureAwait(false)),
        };

        return (task, setting, scoring, test, setting.IsZeroShot ? [0] : Enumerable.Range(0, _study.Seeds).ToArray());
    }

    private StudyModel ModelOf(StudyCell cell) =>
        _study.Models.FirstOrDefault(m => m.Name == cell.Model) ?? throw new InvalidOperationException($"model '{cell.Model}' is not in the study");

    private IChatClient Client(StudyModel model) =>
        _clients.GetOrAdd(model.Name, _ => new Lazy<IChatClient>(() => _llm.Create(model.Model))).Value;

    private Task<IReadOnlyList<Example>> TrainAsync(string task, string language, CancellationToken cancellationToken) =>
        LoadAsync(_study.ResolvePath(_study.Data.Train, task, language), language, _study.TaskOf(task), cancellationToken);

    private Task<IReadOnlyList<Example>> EnglishTrainAsync(string task, CancellationToken cancellationToken) =>
        LoadAsync(_study.EnglishTrainPath(task), "en", _study.TaskOf(task), cancellationToken);

    private Task<IReadOnlyList<Example>> TestAsync(string task, string language, CancellationToken cancellationToken) =>
        LoadAsync(_study.ResolvePath(_study.Data.Test, task, language), language, _study.TaskOf(task), cancellationToken, Splits.Test);

    private Task<IReadOnlyList<Example>> LoadAsync(string path, string language, TaskDefinition task, CancellationToken cancellationToken, string split = Splits.Train) =>
        _data.GetOrAdd(path, _ => new Lazy<Task<IReadOnlyList<Example>>>(async () =>
            (await ExampleFiles.ReadAsync(path, new ImportOptions { Language = language, Split = split, Task = task }, cancellationToken).ConfigureAwait(false)).Examples)).Value;

    public ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
