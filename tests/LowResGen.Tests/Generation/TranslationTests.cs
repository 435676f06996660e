using System.Text.Json;
using System.Text.RegularExpressions;
using LowResGen.Generation;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Generation;

/// <summary>
/// translate: the LLM translates English gold training examples of each label; the translations pass the same filters,
/// quotas, provenance and resume as generated examples. The scripted translator answers with real Welsh texts (a fixed
/// "dictionary" from English example to Welsh text), some left in English, some too short, with a preamble.
/// </summary>
public sealed partial class TranslationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("translation-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    [Fact]
    public async Task TranslationsPassTheSameFiltersAndNameTheirEnglishSource()
    {
        var material = await GenerationMaterial.GetAsync();
        var translator = new ScriptedTranslator(material);
        var client = new ScriptedChatClient(translator.Respond);
        var result = await new GenerationRunner(client, Identifier(material)).RunAsync(Request(material, "translate", 12, _directory), CancellationToken.None);

        Assert.Equal("translate", result.Report.Strategy);
        Assert.True(result.Report.AllQuotasMet);
        Assert.Equal(36, result.Accepted.Count);
        var stages = GenerationStages.InOrder.ToDictionary(s => s, s => result.Records.Count(r => r.RejectionStage == s));
        Assert.True(stages[GenerationStages.Parse] > 0, "the preambles are parse rejections");
        Assert.True(stages[GenerationStages.Length] > 0, "the too-short answers are length rejections");
        Assert.True(stages[GenerationStages.Language] > 0, "the untranslated lines are language rejections");
        Assert.Equal(0, stages[GenerationStages.Judge]);
        Assert.All(result.Records.Where(r => r.RejectionStage == GenerationStages.Language), r => Assert.Contains(r.Text, material.EnglishTexts(r.Label)));

        // Every accepted translation is the translation of the English example it names, of its own label.
        var accepted = result.Records.Where(r => r.Accepted).ToArray();
        Assert.All(accepted, r =>
        {
            var source = Assert.Single(material.EnglishTrain, e => e.Id == r.SourceExampleId);
            Assert.Equal(r.Label, source.Label);
            Assert.Equal(translator.Translation(source), r.Text);
            Assert.Contains(r.Text, material.WelshTexts(r.Label));
        });
        Assert.Equal(accepted.Length, accepted.Select(r => DuplicateTracker.Normalize(r.Text)).Distinct().Count());

        // Provenance: the attempt names its sources and the prompt shows them; the records carry prompt and raw answer.
        var attempts = (await File.ReadAllLinesAsync(Path.Combine(_directory, "cy-attempts.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.All(attempts, a => Assert.True(a.GetProperty("source_example_ids").GetArrayLength() > 0));
        var prompts = client.Requests.Select(r => r.Messages[1].Text).ToArray();
        Assert.All(accepted, r => Assert.Contains(prompts, p => p.Contains(material.EnglishTrain.Single(e => e.Id == r.SourceExampleId).Text, StringComparison.Ordinal)));
        var lines = (await File.ReadAllLinesAsync(Path.Combine(_directory, "cy-examples.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(result.Records.Count, lines.Length);
        Assert.All(lines.Where(l => l.GetProperty("accepted").GetBoolean()), l =>
        {
            Assert.Equal("translate/1", l.GetProperty("template_version").GetString());
            Assert.Matches("^[0-9a-f]{16}$", l.GetProperty("prompt_hash").GetString());
            Assert.Contains(l.GetProperty("text").GetString()!, l.GetProperty("raw_answer").GetString());
            Assert.False(string.IsNullOrEmpty(l.GetProperty("source_example_id").GetString()));
        });
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "cy-run.json"))).RootElement;
        Assert.Equal("translate/1", manifest.GetProperty("generate_template").GetString());
    }

    [Fact]
    public async Task TranslateComposesWithRevisionAndResumesAfterACrash()
    {
        var material = await GenerationMaterial.GetAsync();
        var translator = new ScriptedTranslator(material);
        var calls = 0;
        var crashing = new ScriptedChatClient((messages, options) =>
            Interlocked.Increment(ref calls) > 3 ? throw new HttpRequestException("connection reset") : translator.Respond(messages, options));
        var request = Request(material, "translate+revision", 10, _directory) with
        {
            Options = new GenerationOptions { ModelId = "scripted-model", BatchSize = 4, MaxConcurrentAttemptsPerClass = 1 },
        };
        await Assert.ThrowsAsync<HttpRequestException>(() => new GenerationRunner(crashing, Identifier(material)).RunAsync(request, CancellationToken.None));

        var healthy = new ScriptedChatClient(translator.Respond);
        var result = await new GenerationRunner(healthy, Identifier(material)).RunAsync(request, CancellationToken.None);
        Assert.True(result.Report.Resumed);
        Assert.True(result.Report.AllQuotasMet);
        Assert.Equal(30, result.Accepted.Count);
        Assert.Equal(30, result.Accepted.Select(e => e.Text).Distinct().Count());
        var ids = (await File.ReadAllLinesAsync(Path.Combine(_directory, "cy-examples.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(result.Records.Where(r => r.Accepted), r => Assert.Equal("yes", r.JudgeVerdict));
        Assert.Contains(healthy.Requests, r => r.Messages[0].Text.Contains("review", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TranslateNeedsEnglishDataAndShowsNoDemonstrations()
    {
        Assert.Equal("translate+sl+revision", GenerationStrategy.Parse("revision+translate+sl").Name);
        Assert.True(GenerationStrategy.Parse("translate").Translate);
        Assert.Contains("no demonstrations", Assert.Throws<FormatException>(() => GenerationStrategy.Parse("translate+target-demos")).Message);
        var material = await GenerationMaterial.GetAsync();
        var client = new ScriptedChatClient(new ScriptedTranslator(material).Respond);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new GenerationRunner(client)
            .RunAsync(Request(material, "translate", 5, null) with { EnglishTrainingData = [] }, CancellationToken.None));
        Assert.Contains("English training data", error.Message);
        Assert.Empty(client.Requests);
    }

    private static GenerationRequest Request(GenerationMaterial material, string strategy, int perClass, string? output) =>
        new(GenerationMaterial.ThreeIntents, "cy", GenerationStrategy.Parse(strategy), perClass)
        {
            EnglishTrainingData = material.EnglishTrain,
            TargetTrainingData = material.WelshTrain,
            OutputDirectory = output,
            Options = new GenerationOptions { ModelId = "scripted-model", BatchSize = 5 },
        };

    private static SetLanguageIdentifier Identifier(GenerationMaterial material) => new(material.EnglishTrain.Select(e => e.Text));

    /// <summary>Translates by a fixed dictionary (English example -> a Welsh text of the label); judges everything "yes".</summary>
    private sealed partial class ScriptedTranslator(GenerationMaterial material)
    {
        public string Translation(LowResGen.Data.Example english)
        {
            var pool = material.WelshTexts(english.Label);
            var index = material.EnglishTrain.Where(e => e.Label == english.Label).ToList().FindIndex(e => e.Id == english.Id);
            return pool[index % pool.Length];
        }

        public string Respond(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
        {
            if (messages[0].Text.Contains("review", StringComparison.Ordinal))
            {
                return """{"verdict": "yes", "reason": "a faithful translation"}""";
            }

            Assert.Contains("translate", messages[0].Text, StringComparison.OrdinalIgnoreCase);
            var user = messages[1].Text;
            var label = AskedLabel().Match(user).Groups[1].Value;
            var sources = SourceLine().Matches(user).Select(m => m.Groups[1].Value).ToArray();
            var lines = sources.Select((text, i) =>
            {
                var english = material.EnglishTrain.First(e => e.Label == label && e.Text.ReplaceLineEndings(" ") == text);
                var sample = options.GetSampleIndex();
                return ((i + sample) % 6) switch
                {
                    3 => english.Text,   // left untranslated
                    5 => "ok",           // not a translation at all
                    _ => Translation(english),
                };
            });
            return "Here are the translations:\n" + string.Join('\n', lines.Select((l, i) => $"{i + 1}. {l}"));
        }

        [GeneratedRegex(@"is ""([^""]+)""")]
        private static partial Regex AskedLabel();

        [GeneratedRegex(@"^\d+\. (.*)$", RegexOptions.Multiline)]
        private static partial Regex SourceLine();
    }
}
