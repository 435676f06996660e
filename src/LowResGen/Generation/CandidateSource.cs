using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Generation;

/// <summary>One class of a run as a candidate source sees it: the label (with its description) and the description's source.</summary>
public sealed record ClassPlan(LabelContext Label, string? DescriptionSource);

/// <summary>
/// Where a class's candidates come from: one attempt asks the model for some (new examples, translations, ...) and its
/// recorded answer is turned into candidates. The per-class generator, the filters and the run store are the same for all.
/// </summary>
public interface ICandidateSource
{
    /// <summary>Asks for <paramref name="count"/> candidates; the returned record holds the raw answer.</summary>
    Task<GenerationAttemptRecord> AskAsync(ClassPlan plan, int attempt, int count, CancellationToken cancellationToken);

    /// <summary>The candidates of an answered attempt (also one answered by an earlier, crashed run), in item order.</summary>
    IReadOnlyList<Candidate> CandidatesOf(ClassPlan plan, GenerationAttemptRecord attempt);
}

/// <summary>What every record of a run shares, and the one place its records are made (ids included).</summary>
public sealed record RunIdentity(string Task, string Language, string Strategy, string Model, string TemplateVersion, string DemonstrationSelector)
{
    public GeneratedExampleRecord NewRecord(ClassPlan plan, GenerationAttemptRecord attempt, int item, string text) => new()
    {
        Id = string.Create(CultureInfo.InvariantCulture, $"{Task}-{Language}-{plan.Label.Label}-a{attempt.Attempt}-i{item}"),
        Text = text,
        Label = plan.Label.Label,
        Language = Language,
        Task = Task,
        Accepted = false,
        Strategy = Strategy,
        Model = Model,
        Sampling = attempt.Sampling,
        TemplateVersion = TemplateVersion,
        PromptHash = attempt.PromptHash,
        DemonstrationSelector = DemonstrationSelector,
        DemonstrationIds = attempt.DemonstrationIds,
        DescriptionSource = plan.DescriptionSource,
        Attempt = attempt.Attempt,
        Item = item,
        RawAnswer = attempt.RawAnswer,
        FinishReason = attempt.FinishReason,
        CreatedUtc = DateTimeOffset.UtcNow,
    };
}

/// <summary>
/// The generation source: a prompt asks for N new examples of the label (with the strategy's demonstrations and
/// description), and the answer is split into items by <see cref="GeneratedTextParser"/>.
/// </summary>
public sealed class PromptedCandidateSource(
    IChatClient client,
    RunIdentity identity,
    GenerationPromptBuilder prompts,
    IDemonstrationSelector? demonstrations,
    int demonstrationsPerLabel,
    GenerationOptions options,
    (int ContextLength, Func<IReadOnlyList<ChatMessage>, int> Count)? context,
    ConcurrentQueue<string> warnings) : ICandidateSource
{
    internal const string ExamplesSchema =
        """{"type":"object","properties":{"examples":{"type":"array","items":{"type":"string"}}},"required":["examples"],"additionalProperties":false}""";

    // Parsed once: every attempt of every class asks for the same (immutable) format.
    private static readonly ChatResponseFormat ExamplesFormat = ChatResponseFormat.ForJsonSchema(
        JsonDocument.Parse(ExamplesSchema).RootElement.Clone(), "examples", "The generated texts.");

    public async Task<GenerationAttemptRecord> AskAsync(ClassPlan plan, int attempt, int count, CancellationToken cancellationToken)
    {
        var label = plan.Label.Label;
        var shown = demonstrations?.Draw(label, demonstrationsPerLabel, attempt, options.Seed) ?? [];
        if (demonstrations is not null && shown.Count == 0 && attempt == 0)
        {
            warnings.Enqueue($"No demonstrations of '{label}' in the training data: its prompts show none.");
        }

        var prompt = prompts.Build(plan.Label, count + options.ExtraPerRequest, shown, context, options.MaxOutputTokens);
        if (prompt.DroppedDemonstrations > 0 && attempt == 0)
        {
            warnings.Enqueue($"'{label}': {prompt.DroppedDemonstrations} demonstration(s) dropped to fit the model's context.");
        }

        var sampling = Sampling(options, label, attempt);
        // The strategy and label name the sample stream: two strategies that send this same prompt draw, cache and replay their own answers.
        var chatOptions = ChatOptionsOf(sampling).WithSample($"generate:{identity.Strategy}:{label}", attempt);
        if (options.AskForJsonList)
        {
            chatOptions.ResponseFormat = ExamplesFormat;
        }

        var response = await client.GetResponseAsync(prompt.Messages, chatOptions, cancellationToken).ConfigureAwait(false);
        return new GenerationAttemptRecord(label, attempt, prompt.Hash, prompt.RequestedCount,
            [.. prompt.Demonstrations.Select(d => d.Id)], prompt.DroppedDemonstrations, sampling, response.Text, response.FinishReason?.Value,
            LlmCalls.TokensOf(response, prompt.Messages, response.Text), DateTimeOffset.UtcNow);
    }

    public IReadOnlyList<Candidate> CandidatesOf(ClassPlan plan, GenerationAttemptRecord attempt) =>
        [.. GeneratedTextParser.Parse(attempt.RawAnswer, attempt.FinishReason == ChatFinishReason.Length.Value)
            .Select((item, i) => new Candidate(identity.NewRecord(plan, attempt, i, item.Text), item.Problem))];

    /// <summary>The sampling of one attempt: seeded by the run's seed, the label and the attempt, which is also the sample index.</summary>
    internal static SamplingSettings Sampling(GenerationOptions options, string label, int attempt) =>
        new(options.Temperature, options.TopP, options.MaxOutputTokens, StableSeed.Of(options.Seed, label, attempt, "sampling"), attempt);

    internal static ChatOptions ChatOptionsOf(SamplingSettings sampling) => new ChatOptions
    {
        Temperature = sampling.Temperature,
        TopP = sampling.TopP,
        MaxOutputTokens = sampling.MaxOutputTokens,
        Seed = sampling.Seed,
    }.WithSampleIndex(sampling.SampleIndex);
}
