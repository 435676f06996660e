using System.Security.Cryptography;
using System.Text;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Experiments;

/// <summary>
/// A deterministic stand-in for a served generator model: answers generation prompts with real LLM-generated texts of the
/// requested label from kinit-synthetic (chosen by a hash of the prompt and sampling seed), and judge prompts with a verdict
/// that depends only on the text. Same request, same answer: runs can be compared byte for byte.
/// </summary>
internal static class StudyFixtures
{
    private static readonly Lazy<Dictionary<string, Dictionary<string, string[]>>> Generated = new(() =>
    {
        var byLanguage = new Dictionary<string, Dictionary<string, string[]>>();
        foreach (var language in new[] { "cy", "sw" })
        {
            var examples = ExampleFiles.ReadAsync(SharedData.Kinit("intent", language, "train_full"),
                new ImportOptions { Language = language }, CancellationToken.None).GetAwaiter().GetResult().Examples;
            byLanguage[language] = examples.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Select(e => e.Text).ToArray());
        }

        return byLanguage;
    });

    public static string Respond(FakeRequest request)
    {
        var user = request.LastUserMessage;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(user + "|" + request.Body["seed"]?.ToString()));
        if (user.StartsWith("Text: ", StringComparison.Ordinal))
        {
            // Classification: a label for most texts, and now and then an answer that names none.
            return hash[0] % 7 == 0 ? "I cannot tell." : BuiltInTasks.Massive10.Labels[hash[1] % BuiltInTasks.Massive10.Labels.Count];
        }

        if (user.Contains("Does the text belong", StringComparison.Ordinal))
        {
            return hash[0] % 5 == 0 ? "{\"verdict\": \"no\", \"reason\": \"too vague\"}" : "{\"verdict\": \"yes\", \"reason\": \"fits\"}";
        }

        var language = user.Contains("Welsh", StringComparison.Ordinal) ? "cy" : "sw";
        var label = BuiltInTasks.Massive10.Labels.FirstOrDefault(l => user.Contains($"\"{l}\"", StringComparison.Ordinal)) ?? BuiltInTasks.Massive10.Labels[0];
        var pool = Generated.Value[language][label];
        var start = BitConverter.ToUInt16(hash, 1) % pool.Length;
        return "Here are the examples:\n" + string.Join('\n', Enumerable.Range(0, 6).Select(i => $"{i + 1}. {pool[(start + i * 7) % pool.Length]}"));
    }

    public static string StudyToml(Uri server, string strategies = "\"target-demos\", \"english-demos+revision\"", string output = "out", string extra = "") => $"""
        name = "resume-test"
        output = "{output}"
        tasks = ["intent"]
        languages = ["cy", "sw"]
        strategies = [{strategies}]
        seeds = 2
        per_class = 4
        max_attempts = 3
        language_check = false
        {extra}

        [data]
        train = "{SharedData.Datasets.Replace("\\", "/")}/kinit-synthetic/{"{task}"}/{"{lang}"}-train_human_parsed.csv"
        test = "{SharedData.Datasets.Replace("\\", "/")}/kinit-synthetic/{"{task}"}/{"{lang}"}-test.csv"

        [[models]]
        name = "fake"
        model = "{server.AbsoluteUri.TrimEnd('/')}#fake-generator"
        """;

    /// <summary>Everything a finished study produced that must not depend on how the run was interrupted or split.</summary>
    public static async Task<string> FingerprintAsync(string outputDirectory)
    {
        var builder = new StringBuilder();
        await using (var store = await LowResGen.Experiments.StudyStore.OpenAsync(Path.Combine(outputDirectory, "study.db"), CancellationToken.None))
        {
            foreach (var cell in (await store.ReadAllAsync(CancellationToken.None)).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                builder.Append(cell.Key).Append(' ').Append(cell.Setting).Append(' ')
                    .AppendJoin(' ', cell.Scores.Select(s => FormattableString.Invariant($"{s.Seed}:{s.MacroF1:R}:{s.Accuracy:R}"))).AppendLine();
            }
        }

        foreach (var file in Directory.GetFiles(Path.Combine(outputDirectory, "cells"), "*-generated.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            builder.AppendLine(Path.GetRelativePath(outputDirectory, file));
            builder.AppendLine(await File.ReadAllTextAsync(file));
        }

        return builder.ToString();
    }
}

/// <summary>
/// A study test's surroundings: a temporary root folder (deleted afterwards) and the deterministic local server that
/// answers like a generator (<see cref="StudyFixtures.Respond"/>).
/// </summary>
public abstract class StudyServerTest(string folderPrefix) : IAsyncLifetime
{
    private protected string Root { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    private protected FakeOpenAiServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeOpenAiServer.StartAsync();
        Server.Responder = StudyFixtures.Respond;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
