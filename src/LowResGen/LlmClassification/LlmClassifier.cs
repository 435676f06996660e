using LowResGen.Data;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.LlmClassification;

/// <summary>
/// One text's classification by an LLM: the label (null when the answer named none: unmappable, counted as wrong),
/// the raw answer, and label scores (probabilities in log-probability mode, 1 for the chosen label otherwise).
/// </summary>
public sealed record LlmPrediction(string? Label, string Answer, IReadOnlyDictionary<string, double> Scores)
{
    public bool IsMapped => Label is not null;
}

/// <summary>
/// Classifies texts with an LLM behind <see cref="IChatClient"/>: zero-shot (no demonstrations) or k-shot (demonstrations
/// as earlier chat turns). The answer is kept to one label by a choice list / JSON schema where the backend
/// supports it and mapped from free text otherwise; or, in log-probability mode, every label is scored and no text is
/// parsed. Requests run concurrently up to <see cref="LlmClassifierOptions.MaxConcurrency"/>; caching, retries and usage
/// belong to the client's middleware, scoring included (the scorer is asked of the whole stack), so a rerun replays cached
/// answers and scores and both are counted.
/// </summary>
public sealed class LlmClassifier
{
    private readonly IChatClient client;
    private readonly LlmClassifierOptions options;
    private readonly ClassificationPrompt prompt;
    private readonly LabelMapper mapper;
    private readonly ChatOptions chatOptions;
    private readonly TaskDefinition shown; // the task as the LLM sees it: display names for labels

    public LlmClassifier(IChatClient client, TaskDefinition task, LlmClassifierOptions? options = null, LabelMapper? mapper = null)
    {
        this.client = client;
        this.options = options ??= new LlmClassifierOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrency);
        Task = task;
        shown = task.ForPrompts();
        var json = options.Constrained == ConstrainedOutput.JsonSchema && options.Scoring == LlmScoring.Generate;
        prompt = new ClassificationPrompt(task, options.IncludeDescriptions, json);
        this.mapper = mapper ?? new LabelMapper(shown);
        chatOptions = new ChatOptions { Temperature = options.Temperature, MaxOutputTokens = options.MaxOutputTokens };
        switch (options.Constrained)
        {
            case ConstrainedOutput.Auto:
                // Backends turn a choice list into vLLM guided_choice or a llama.cpp grammar; others ignore it.
                chatOptions.WithChoices(shown.Labels);
                break;
            case ConstrainedOutput.JsonSchema:
                chatOptions.ResponseFormat = LabelJsonSchema.ResponseFormat(shown.Labels);
                break;
        }
    }

    public TaskDefinition Task { get; }

    /// <summary>Classifies every text, in order. <paramref name="demonstrations"/> empty = zero-shot.</summary>
    public async Task<IReadOnlyList<LlmPrediction>> ClassifyAsync(
        IReadOnlyList<string> texts,
        IReadOnlyList<Example> demonstrations,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        var scorer = options.Scoring == LlmScoring.LogProbability
            ? client.GetService<ICompletionScorer>() ?? throw new NotSupportedException(
                "This model backend does not expose log-probabilities (no ICompletionScorer); use generate scoring instead.")
            : null;
        CheckContext(texts, demonstrations);
        var results = new LlmPrediction[texts.Count];
        var done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, texts.Count), parallel, async (i, ct) =>
        {
            var messages = prompt.Build(demonstrations, texts[i]);
            results[i] = scorer is null
                ? await GenerateAsync(messages, ct).ConfigureAwait(false)
                : await ScoreAsync(scorer, messages, ct).ConfigureAwait(false);
            progress?.Report(Interlocked.Increment(ref done));
        }).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Fails before the first request when the longest prompt cannot fit the model's context (many labels times k
    /// demonstrations grows fast), instead of failing request by request. Only for backends that count tokens.
    /// </summary>
    private void CheckContext(IReadOnlyList<string> texts, IReadOnlyList<Example> demonstrations)
    {
        if (texts.Count == 0 || client.GetService<ITokenCounter>() is not { } counter)
        {
            return;
        }

        var longest = texts.MaxBy(t => t.Length)!;
        var needed = counter.CountChatTokens(prompt.Build(demonstrations, longest)) + options.MaxOutputTokens;
        if (needed > counter.ContextLength)
        {
            throw new ArgumentException(
                $"The prompt for the longest text needs {needed} tokens ({demonstrations.Count} demonstrations, answer included) " +
                $"but the model's context is {counter.ContextLength}; use fewer demonstrations per label or a longer context.");
        }
    }

    /// <summary>Turns one answer into a prediction: a JSON {"label": ...} object, an exact label, or mapped free text.</summary>
    public LlmPrediction Interpret(string answer)
    {
        var fromJson = LabelJsonSchema.LabelFromJson(answer);
        var match = mapper.Map(fromJson ?? answer);
        var label = match.Label is null ? null : Task.LabelOf(match.Label) ?? match.Label; // back to the value data files hold
        return new LlmPrediction(label, answer,
            label is null ? new Dictionary<string, double>() : new Dictionary<string, double> { [label] = 1.0 });
    }

    private async Task<LlmPrediction> GenerateAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var response = await client.GetResponseAsync(messages, chatOptions.Clone(), cancellationToken).ConfigureAwait(false);
        return Interpret(response.Text);
    }

    private async Task<LlmPrediction> ScoreAsync(ICompletionScorer scorer, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var logProbabilities = await scorer.ScoreAsync(messages, shown.Labels, cancellationToken).ConfigureAwait(false);
        if (logProbabilities.Count != Task.Labels.Count)
        {
            throw new InvalidOperationException($"The scorer returned {logProbabilities.Count} scores for {Task.Labels.Count} labels.");
        }

        // Softmax over the labels: probabilities given that the answer is one of them.
        var max = logProbabilities.Max();
        var weights = logProbabilities.Select(lp => Math.Exp(lp - max)).ToArray();
        var sum = weights.Sum();
        var scores = new Dictionary<string, double>(Task.Labels.Count, StringComparer.Ordinal);
        var best = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            scores[Task.Labels[i]] = weights[i] / sum;
            best = logProbabilities[i] > logProbabilities[best] ? i : best;
        }

        return new LlmPrediction(Task.Labels[best], shown.Labels[best], scores);
    }
}
