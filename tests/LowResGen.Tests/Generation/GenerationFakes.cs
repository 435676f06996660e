using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Generation;

/// <summary>Real Welsh and English MASSIVE texts (kinit-synthetic) used as the material the scripted model answers with.</summary>
internal sealed class GenerationMaterial
{
    private static readonly Lazy<Task<GenerationMaterial>> Shared = new(LoadAsync);

    private GenerationMaterial(IReadOnlyList<Example> welshTest, IReadOnlyList<Example> welshTrain, IReadOnlyList<Example> englishTrain)
    {
        WelshTest = welshTest;
        WelshTrain = welshTrain;
        EnglishTrain = englishTrain;
    }

    /// <summary>The gold Welsh test texts, apostrophes intact: what the fake model "generates".</summary>
    public IReadOnlyList<Example> WelshTest { get; }

    public IReadOnlyList<Example> WelshTrain { get; }

    public IReadOnlyList<Example> EnglishTrain { get; }

    public static Task<GenerationMaterial> GetAsync() => Shared.Value;

    /// <summary>massive10 cut to three labels, so every test stays small and fast.</summary>
    public static TaskDefinition ThreeIntents { get; } = BuiltInTasks.Massive10 with
    {
        Labels = ["alarm_query", "cooking_recipe", "transport_ticket"],
    };

    public string[] WelshTexts(string label) => [.. WelshTest.Where(e => e.Label == label).Select(e => e.Text).Distinct()];

    public string[] EnglishTexts(string label) => [.. EnglishTrain.Where(e => e.Label == label).Select(e => e.Text).Distinct()];

    private static async Task<GenerationMaterial> LoadAsync()
    {
        async Task<IReadOnlyList<Example>> Read(string language, string part) =>
            (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", language, part), new ImportOptions { Language = language }, CancellationToken.None))
            .Examples;

        return new GenerationMaterial(await Read("cy", "test"), await Read("cy", "train_human_parsed"), await Read("en", "train_human_parsed"));
    }
}

/// <summary>
/// A scripted model for generation tests: answers generation prompts with real Welsh texts of the asked label in the messy
/// formats models produce (chosen by the sample index), the judge with JSON verdicts, and describe prompts with a summary.
/// </summary>
internal sealed partial class MessyGenerator(GenerationMaterial material)
{
    public const string Summary = "This intent involves asking something specific in the user's own words.";

    public ConcurrentBag<string> JudgedTexts { get; } = [];

    /// <summary>Texts the judge says no to.</summary>
    public HashSet<string> JudgeRejects { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every generation answer uses this format (index into the formats) instead of the sample index.</summary>
    public int? FixedFormat { get; init; }

    public const int FormatCount = 7;

    public string Respond(IReadOnlyList<ChatMessage> messages, ChatOptions? options) => Respond(messages, options.GetSampleIndex());

    public string Respond(IReadOnlyList<ChatMessage> messages, int sample)
    {
        var system = messages[0].Text;
        var user = messages[^1].Text;
        if (system.Contains("review", StringComparison.Ordinal))
        {
            var text = JudgedText().Match(user).Groups[1].Value.Trim();
            JudgedTexts.Add(text);
            return JudgeRejects.Contains(text)
                ? """{"verdict": "no", "reason": "not about the label"}"""
                : """{"verdict": "yes", "reason": "a clear, complete request"}""";
        }

        if (system.Contains("describe", StringComparison.Ordinal))
        {
            return Summary;
        }

        var label = AskedLabel().Match(user).Groups[1].Value;
        var pool = material.WelshTexts(label);
        var texts = Enumerable.Range(0, 8).Select(i => pool[(sample * 8 + i) % pool.Length]).ToArray();
        var english = material.EnglishTexts(label)[sample % 5];
        return (FixedFormat ?? sample % FormatCount) switch
        {
            // A preamble and a numbered list.
            0 => "Here are 10 examples:\n" + string.Join('\n', texts.Select((t, i) => $"{i + 1}. {t}")),
            // The whole list on one line.
            1 => string.Join(' ', texts.Select((t, i) => $"{i + 1}) {t}")),
            // A JSON array in a code fence.
            2 => "```json\n" + System.Text.Json.JsonSerializer.Serialize(texts) + "\n```",
            // Quoted lines, an English line, a duplicate that differs only in case and punctuation.
            3 => string.Join('\n', texts.Select(t => $"\"{t}\"").Append(english).Append(texts[0].ToUpperInvariant() + "!")),
            // Bullets and a closing comment.
            4 => string.Join('\n', texts.Select(t => $"- {t}")) + "\n\nI hope these examples help!",
            // Plain lines with one too short to be an example.
            5 => string.Join('\n', texts.Prepend("ok")),
            // Numbered with "*" bullets and curly quotes.
            _ => string.Join('\n', texts.Select(t => $"* “{t}”")),
        };
    }

    [GeneratedRegex(@"^Text: (.*)$", RegexOptions.Multiline)]
    private static partial Regex JudgedText();

    [GeneratedRegex(@"is ""([^""]+)""")]
    private static partial Regex AskedLabel();
}

/// <summary>Says "en" for the English texts it was given and "cy" for everything else, with the confidence Lingua would give.</summary>
internal sealed class SetLanguageIdentifier(IEnumerable<string> englishTexts, params string[] supported) : ILanguageIdentifier
{
    private readonly HashSet<string> _english = new(englishTexts, StringComparer.Ordinal);

    public bool Supports(string iso1) => supported.Length == 0 || supported.Contains(iso1);

    public LanguageGuess Identify(string text) => _english.Contains(text) ? new LanguageGuess("en", 0.93) : new LanguageGuess("cy", 0.88);
}

/// <summary>Wraps a client to mark some answers as cut by the token limit, and optionally to offer a token counter.</summary>
internal sealed class AnswerShapingClient(IChatClient inner, Func<ChatResponse, bool>? isCut = null, ITokenCounter? counter = null)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        if (isCut?.Invoke(response) == true)
        {
            response.FinishReason = ChatFinishReason.Length;
        }

        return response;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ITokenCounter) && counter is not null ? counter : base.GetService(serviceType, serviceKey);
}

/// <summary>Counts one token per word, with a given context length.</summary>
internal sealed class WordTokenCounter(int contextLength) : ITokenCounter
{
    public int ContextLength => contextLength;

    public int CountChatTokens(IEnumerable<ChatMessage> messages) =>
        messages.Sum(m => m.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length + 4);
}
