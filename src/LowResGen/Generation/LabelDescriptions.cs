using System.Text.Json;
using System.Text.Json.Serialization;
using LowResGen.Common;
using LowResGen.Data;
using Microsoft.Extensions.AI;

namespace LowResGen.Generation;

/// <summary>
/// What a label means, with where that came from: "human" (the task definition) or "llm" (summarized by
/// <see cref="Model"/> from the training examples <see cref="ExampleIds"/> in <see cref="SourceLanguage"/>, with the
/// prompt template <see cref="TemplateVersion"/>).
/// </summary>
public sealed record LabelDescription(
    string Task,
    string Label,
    string Text,
    string Source,
    string? Model = null,
    string? SourceLanguage = null,
    IReadOnlyList<string>? ExampleIds = null,
    string? TemplateVersion = null,
    long Tokens = 0,
    DateTimeOffset? CreatedUtc = null)
{
    public const string Human = "human";
    public const string Llm = "llm";
}

/// <summary>Reads and writes label descriptions as a JSON file, so summaries are written once and reused by later runs.</summary>
public static class LabelDescriptionStore
{
    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<IReadOnlyList<LabelDescription>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "file not found");
        }

        await using var stream = File.OpenRead(path);
        try
        {
            var file = await JsonSerializer.DeserializeAsync<DescriptionFile>(stream, Json, cancellationToken).ConfigureAwait(false);
            var descriptions = file?.Descriptions ?? throw new DataFormatException(path, null, "descriptions", "no 'descriptions' list");
            foreach (var d in descriptions)
            {
                if (string.IsNullOrWhiteSpace(d.Task) || string.IsNullOrWhiteSpace(d.Label) || string.IsNullOrWhiteSpace(d.Text))
                {
                    throw new DataFormatException(path, null, "descriptions", "every description needs task, label and text");
                }
            }

            return descriptions;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber + 1, e.Path, "not valid JSON: " + e.Message, e);
        }
    }

    public static Task WriteAsync(string path, IEnumerable<LabelDescription> descriptions, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(new DescriptionFile([.. descriptions]), Json), cancellationToken);

    private sealed record DescriptionFile(IReadOnlyList<LabelDescription> Descriptions);
}

/// <summary>
/// Writes the "summarized label" description: shows an LLM k random training examples of a label and asks for one sentence
/// that begins like "This intent involves ...", worded for the task's kind of label. Stored descriptions made the same way
/// (same task, label, model, template and number of examples) are reused instead of asking again.
/// </summary>
public sealed class LabelSummarizer(IChatClient client, PromptTemplate template, string modelId)
{
    public PromptTemplate Template => template;

    /// <summary>The source language's name in prompts instead of the registry's English name (--language-name); null: the registry's.</summary>
    public string? LanguageName { get; init; }

    /// <summary>The model name recorded as the descriptions' author: the client's metadata, or "unknown-model".</summary>
    public static string ModelIdOf(IChatClient client) => LlmCalls.ModelIdOf(client, null);

    /// <summary>The sentence opening for a kind of label ("This intent involves", "This topic covers", ...).</summary>
    public static string OpeningFor(string labelKind) => labelKind switch
    {
        "intent" => "This intent involves",
        "topic" => "This topic covers",
        "sentiment" => "This sentiment expresses",
        _ => $"This {labelKind} involves",
    };

    public bool Matches(LabelDescription stored, TaskDefinition task, string label, string sourceLanguage, int k) =>
        stored.Source == LabelDescription.Llm && stored.Task == task.Name && stored.Label == label && stored.Model == modelId
        && stored.TemplateVersion == template.Version && stored.SourceLanguage == sourceLanguage && stored.ExampleIds?.Count == k;

    /// <summary>Describes every label of the task, concurrently, reusing matching entries of <paramref name="known"/>.</summary>
    public async Task<IReadOnlyList<LabelDescription>> DescribeAllAsync(TaskDefinition task, IReadOnlyList<Example> trainingData,
        string sourceLanguage, int k, int seed, IReadOnlyList<LabelDescription> known, CancellationToken cancellationToken)
    {
        var selector = new RandomDemonstrationSelector(trainingData);
        var tasks = task.Labels.Select(label =>
        {
            var available = Math.Min(k, selector.CountOf(label));
            return known.LastOrDefault(d => Matches(d, task, label, sourceLanguage, available)) is { } reuse
                ? Task.FromResult(reuse)
                : DescribeAsync(task, label, selector, sourceLanguage, k, seed, cancellationToken);
        });
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<LabelDescription> DescribeAsync(TaskDefinition task, string label, RandomDemonstrationSelector selector,
        string sourceLanguage, int k, int seed, CancellationToken cancellationToken)
    {
        // Attempt -1: a draw of its own, not the one the first generation request shows as demonstrations.
        var examples = selector.Draw(label, k, -1, seed);
        if (examples.Count == 0)
        {
            throw new InvalidOperationException(
                $"Cannot summarize the {task.LabelKind} '{task.DisplayNameOf(label)}': the training data has no example of it.");
        }

        var opening = OpeningFor(task.LabelKind);
        var values = new Dictionary<string, string>
        {
            ["count"] = examples.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["label"] = task.DisplayNameOf(label),
            ["label_kind"] = task.LabelKind,
            ["task"] = task.Name,
            ["source_language"] = !string.IsNullOrWhiteSpace(LanguageName) ? LanguageName.Trim()
                : Data.LanguageRegistry.Default.TryResolve(sourceLanguage, out var l) ? l.EnglishName : sourceLanguage,
            ["examples"] = string.Join('\n', examples.Select(e => "- " + e.Text.ReplaceLineEndings(" "))),
            ["opening"] = opening,
        };
        ChatMessage[] messages =
        [
            new(ChatRole.System, template.Render("system", values)),
            new(ChatRole.User, template.Render("user", values)),
        ];
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 150 };
        var response = await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return new LabelDescription(task.Name, label, CleanSummary(response.Text, opening, label), LabelDescription.Llm, modelId,
            sourceLanguage, [.. examples.Select(e => e.Id)], template.Version, LlmCalls.TokensOf(response, messages, response.Text),
            DateTimeOffset.UtcNow);
    }

    /// <summary>The first sentence-bearing line of the answer, unquoted; the opening alone when the model said nothing usable.</summary>
    public static string CleanSummary(string answer, string opening, string label)
    {
        var line = (answer ?? "").ReplaceLineEndings("\n").Split('\n')
            .Select(l => GeneratedTextParser.StripEnclosingQuotes(l.Trim()))
            .FirstOrDefault(l => l.Length > 0 && !l.EndsWith(':'));
        return string.IsNullOrWhiteSpace(line) ? $"{opening} {label.Replace('_', ' ')}." : line;
    }
}
