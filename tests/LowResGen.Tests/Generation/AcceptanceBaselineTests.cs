using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Generation;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Generation;

/// <summary>
/// The acceptance table (per class and stage) and the accepted texts of the generation scenarios of
/// <see cref="GenerationRunnerTests"/>, compared with <c>acceptance-baseline.txt</c>, which was recorded with the runner that
/// the candidate pipeline replaced (commit 826aaaa): the restructuring must keep or reject exactly the same candidates.
/// Set LOWRESGEN_RECORD_BASELINE=1 to record the file again.
/// </summary>
public sealed class AcceptanceBaselineTests
{
    [Fact]
    public async Task ThePipelineAcceptsAndRejectsExactlyWhatTheOldRunnerDid()
    {
        var actual = await DescribeAllAsync();
        var path = BaselinePath();
        if (Environment.GetEnvironmentVariable("LOWRESGEN_RECORD_BASELINE") == "1")
        {
            await File.WriteAllTextAsync(path, actual);
        }

        var expected = await File.ReadAllTextAsync(path);
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual);
    }

    private static string BaselinePath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "acceptance-baseline.txt");

    private static async Task<string> DescribeAllAsync()
    {
        var material = await GenerationMaterial.GetAsync();
        var text = new StringBuilder();
        var identifier = new SetLanguageIdentifier(material.EnglishTrain.Select(e => e.Text));
        foreach (var preset in GenerationStrategy.Presets)
        {
            var result = await Runner(new ScriptedChatClient(new MessyGenerator(material).Respond), identifier)
                .RunAsync(Request(material, preset, 5), CancellationToken.None);
            Describe(text, "preset " + preset, result);
        }

        var messy = await Runner(new ScriptedChatClient(new MessyGenerator(material).Respond), identifier).RunAsync(
            Request(material, "target-demos", 50, new GenerationOptions { ModelId = "scripted-model", BatchSize = 8, ExtraPerRequest = 0, MaxAttemptsPerClass = 20 },
                BuiltInTasks.Massive10 with { Labels = ["cooking_recipe"] }), CancellationToken.None);
        Describe(text, "messy", messy);

        var repeating = new ScriptedChatClient((messages, _) => messages[0].Text.Contains("review", StringComparison.Ordinal)
            ? "{\"verdict\": \"yes\", \"reason\": \"ok\"}"
            : "1. Pa larymau sydd gen i heddiw?\n2. Ydy'r larwm wedi'i osod?\n3. Faint o'r gloch mae'r larwm yn canu?");
        var repeatRequest = Request(material, "target-demos+revision", 10, new GenerationOptions { ModelId = "scripted-model", MaxAttemptsPerClass = 4 },
            BuiltInTasks.Massive10 with { Labels = ["alarm_query"] });
        Describe(text, "repeating", await Runner(repeating, null).RunAsync(repeatRequest, CancellationToken.None));
        Describe(text, "generous", await Runner(repeating, null).RunAsync(repeatRequest with { PerClass = 2 }, CancellationToken.None));

        var judging = new MessyGenerator(material) { FixedFormat = 5 };
        foreach (var rejected in material.WelshTexts("alarm_query").Take(3))
        {
            judging.JudgeRejects.Add(rejected);
        }

        Describe(text, "judge", await Runner(new ScriptedChatClient(judging.Respond), null)
            .RunAsync(Request(material, "target-demos+revision", 5), CancellationToken.None));

        var cut = new AnswerShapingClient(new ScriptedChatClient(new MessyGenerator(material) { FixedFormat = 5 }.Respond), isCut: _ => true);
        Describe(text, "cut", await Runner(cut, null).RunAsync(Request(material, "target-demos", 5), CancellationToken.None));

        var lingua = new LinguaLanguageIdentifier(["cy", "en", "de"]);
        Describe(text, "lingua", await Runner(new ScriptedChatClient(new MessyGenerator(material) { FixedFormat = 3 }.Respond), lingua)
            .RunAsync(Request(material, "target-demos", 4), CancellationToken.None));
        return text.ToString();
    }

    private static GenerationRunner Runner(IChatClient client, ILanguageIdentifier? identifier) => new(client, identifier);

    private static GenerationRequest Request(GenerationMaterial material, string strategy, int perClass, GenerationOptions? options = null,
        TaskDefinition? task = null) =>
        new(task ?? GenerationMaterial.ThreeIntents, "cy", GenerationStrategy.Parse(strategy), perClass)
        {
            EnglishTrainingData = material.EnglishTrain,
            TargetTrainingData = material.WelshTrain,
            Options = options ?? new GenerationOptions { ModelId = "scripted-model" },
        };

    private static void Describe(StringBuilder text, string scenario, GenerationResult result)
    {
        text.Append("## ").Append(scenario).Append('\n');
        foreach (var c in result.Report.Classes)
        {
            text.Append(CultureInfo.InvariantCulture, $"{c.Label}: accepted {c.Accepted}/{c.Quota}, attempts {c.Attempts}, limit {c.AttemptLimitReached}, tokens {c.LlmTokens}\n");
            foreach (var s in c.Stages)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {s.Stage} {s.Entered} -> {s.Passed}\n");
            }

            var records = result.Records.Where(r => r.Label == c.Label).OrderBy(r => r.Attempt).ThenBy(r => r.Item);
            text.Append("  records ").Append(ContentHash.Of(string.Join('\u001e',
                records.Select(r => $"{r.Id}\u001f{r.Text}\u001f{r.Accepted}\u001f{r.RejectionStage}\u001f{r.RejectionReason}\u001f{r.JudgeVerdict}")), 16)).Append('\n');
            text.Append("  accepted ").Append(ContentHash.Of(string.Join('\u001e', result.Accepted.Where(e => e.Label == c.Label).Select(e => e.Id + "\u001f" + e.Text)), 16))
                .Append('\n');
        }

        text.Append("warnings ").Append(result.Report.Warnings.Count).Append('\n');
    }
}
