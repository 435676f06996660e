using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Generation;
using LowResGen.Llm;
using LowResGen.LlmClassification;

namespace LowResGen.DryRun;

/// <summary>
/// Plans of what generation, label description and LLM classification would send, built by the real code paths with
/// a <see cref="RecordingChatClient"/> instead of a model: the prompts are the real ones, nothing is sent, nothing written.
/// Labels are planned one at a time (a one-label task), so that each prompt is known to belong to its label.
/// </summary>
public static class DryRunPlanner
{
    public const int DefaultPromptsPerLabel = 2;

    /// <summary>What the model's own label description looks like in the prompts that would include it.</summary>
    public const string DescriptionPlaceholder = "<the model's description of this label>";

    public static async Task<DryRunPlan> GenerationAsync(GenerationRequest request, string modelId, int promptsPerLabel,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var strategy = request.Strategy;
        var language = LanguageRegistry.Default.Resolve(request.Language);

        // The model id is the real one, so stored descriptions made with it are reused as a real run would.
        var options = request.Options with { ModelId = modelId };
        var prompts = new List<PlannedPrompt>();
        var notes = new List<string>();
        long minimum = 0, maximum = 0;
        foreach (var label in request.Task.Labels)
        {
            var single = request.Task with { Labels = [label] };
            var describer = new RecordingChatClient(modelId, _ => DescriptionPlaceholder);
            var known = request.KnownDescriptions;
            if (strategy.Description == LabelDescriptionSource.Summarized)
            {
                // The runner summarizes from the target-language data when there is any, else from the English data.
                var (data, source) = request.TargetTrainingData.Count > 0 ? (request.TargetTrainingData, language.Code) : (request.EnglishTrainingData, "en");
                var summarizer = new LabelSummarizer(describer, PromptTemplate.Load(PromptTemplate.Describe, options.TemplateDirectory), modelId);
                known = [.. known, .. await summarizer.DescribeAllAsync(single, data, source, strategy.SummaryExamplesPerLabel, options.Seed, known,
                    cancellationToken).ConfigureAwait(false)];
            }

            // Empty answers: no candidate survives, so every label runs to its attempt limit, the most a run can send.
            var generator = new RecordingChatClient(modelId);
            var result = await new GenerationRunner(generator, new UncheckedLanguage()).RunAsync(
                request with { Task = single, OutputDirectory = null, KnownDescriptions = known, Options = options }, cancellationToken).ConfigureAwait(false);
            // Attempts of a wave are asked at once: their sample index (the attempt number) gives their order.
            prompts.AddRange(describer.Calls.Concat(generator.Calls.OrderBy(c => c.Options.GetSampleIndex())).Take(promptsPerLabel)
                .Select(c => new PlannedPrompt(label, c.Messages)));
            notes.AddRange(result.Report.Warnings);

            var described = describer.Calls.Count;
            var needed = (int)Math.Ceiling(request.PerClass / (double)options.BatchSize);
            minimum += described + needed + (strategy.Revision ? request.PerClass : 0);
            maximum += described + generator.Calls.Count * (1L + (strategy.Revision ? options.BatchSize + options.ExtraPerRequest : 0));
        }

        notes.Add(strategy.Revision
            ? "the fewest calls if every candidate is accepted; the most if every label runs to its attempt limit and every candidate is judged"
            : "the fewest calls if every candidate is accepted; the most if every label runs to its attempt limit");
        if (strategy.Description == LabelDescriptionSource.Summarized)
        {
            notes.Add($"prompts after a label's description show {DescriptionPlaceholder} where the model's answer goes");
        }

        if (request.OutputDirectory is not null)
        {
            notes.Add("a run into an output folder that holds an earlier run resumes it and sends fewer");
        }

        return new DryRunPlan($"{request.Task.Name} / {language.Code} / {strategy.Name} / {modelId}", prompts, minimum, maximum,
            [.. notes.Distinct(StringComparer.Ordinal)]);
    }

    public static async Task<DryRunPlan> DescriptionsAsync(TaskDefinition task, IReadOnlyList<Example> examples, string sourceLanguage, int k, int seed,
        IReadOnlyList<LabelDescription> known, string? templateDirectory, string modelId, int promptsPerLabel, CancellationToken cancellationToken,
        string? languageName = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var prompts = new List<PlannedPrompt>();
        long calls = 0;
        foreach (var label in task.Labels)
        {
            var recorder = new RecordingChatClient(modelId, _ => DescriptionPlaceholder);
            var summarizer = new LabelSummarizer(recorder, PromptTemplate.Load(PromptTemplate.Describe, templateDirectory), modelId) { LanguageName = languageName };
            await summarizer.DescribeAllAsync(task with { Labels = [label] }, examples, sourceLanguage, k, seed, known, cancellationToken).ConfigureAwait(false);
            prompts.AddRange(recorder.Calls.Take(promptsPerLabel).Select(c => new PlannedPrompt(label, c.Messages)));
            calls += recorder.Calls.Count;
        }

        IReadOnlyList<string> notes = calls < task.Labels.Count ? [$"{task.Labels.Count - calls} label(s) reuse a stored description and send nothing"] : [];
        return new DryRunPlan($"describe {task.Name} / {sourceLanguage} / {modelId}", prompts, calls, calls, notes);
    }

    /// <summary>Every text once per run: zero-shot runs once, k-shot once per seed (each seed draws its demonstrations).</summary>
    public static async Task<DryRunPlan> ClassificationAsync(TaskDefinition task, LlmClassifierOptions options, IReadOnlyList<LlmSetting> settings,
        IReadOnlyList<Example> test, IReadOnlyList<int> seeds, string modelId, int promptsPerLabel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        if (options.Scoring == LlmScoring.LogProbability)
        {
            notes.Add("log-probability scoring sends these prompts to the embedded model once per text and scores every label; nothing is generated");
        }

        var recorder = new RecordingChatClient(modelId);
        var classifier = new LlmClassifier(recorder, task, options with { Scoring = LlmScoring.Generate });
        var prompts = new List<PlannedPrompt>();
        long calls = 0;
        foreach (var setting in settings)
        {
            var runs = setting.IsZeroShot ? Math.Min(1, seeds.Count) : seeds.Count;
            calls += (long)runs * test.Count;
            if (runs == 0)
            {
                continue;
            }

            // The first run's prompts; later seeds differ only in the demonstrations drawn.
            var demonstrations = setting.IsZeroShot ? [] : DemonstrationSampler.Sample(setting.Pool, task, setting.K, seeds[0]);
            foreach (var group in test.GroupBy(e => e.Label, StringComparer.Ordinal))
            {
                foreach (var example in group.Take(promptsPerLabel))
                {
                    var before = recorder.Calls.Count;
                    await classifier.ClassifyAsync([example.Text], demonstrations, null, cancellationToken).ConfigureAwait(false);
                    prompts.AddRange(recorder.Calls.Skip(before).Select(c => new PlannedPrompt($"{setting.Name}, gold {group.Key}", c.Messages)));
                }
            }
        }

        return new DryRunPlan($"classify {task.Name} / {modelId} / {test.Count} texts", prompts, calls, calls, notes);
    }

    /// <summary>Says it knows every language; with empty answers there is never a text to identify.</summary>
    private sealed class UncheckedLanguage : ILanguageIdentifier
    {
        public bool Supports(string iso1) => true;

        public LanguageGuess Identify(string text) => new(null, 0);
    }
}
