using System.Text.Json;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Generation;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Generation;

public sealed class GenerationRunnerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("generation-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    public static TheoryData<string> Presets => [.. GenerationStrategy.Presets];

    private static GenerationRequest Request(GenerationMaterial material, string strategy, int perClass = 5, string? output = null,
        GenerationOptions? options = null, TaskDefinition? task = null) =>
        new(task ?? GenerationMaterial.ThreeIntents, "cy", GenerationStrategy.Parse(strategy), perClass)
        {
            EnglishTrainingData = material.EnglishTrain,
            TargetTrainingData = material.WelshTrain,
            OutputDirectory = output,
            Options = options ?? new GenerationOptions { ModelId = "scripted-model" },
        };

    private static SetLanguageIdentifier Identifier(GenerationMaterial material, params string[] supported) =>
        new(material.EnglishTrain.Select(e => e.Text), supported);

    private static bool IsGenerationPrompt(IReadOnlyList<ChatMessage> messages) =>
        messages[0].Text.StartsWith("You write realistic training data", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task EveryPresetFillsEveryClassWithCleanTargetLanguageTexts(string preset)
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material);
        var client = new ScriptedChatClient(generator.Respond);
        var result = await new GenerationRunner(client, Identifier(material)).RunAsync(Request(material, preset), CancellationToken.None);

        Assert.True(result.Report.AllQuotasMet);
        Assert.Equal(preset, result.Report.Strategy);
        foreach (var label in GenerationMaterial.ThreeIntents.Labels)
        {
            var accepted = result.Accepted.Where(e => e.Label == label).Select(e => e.Text).ToArray();
            Assert.Equal(5, accepted.Length);
            // Exactly the texts the model wrote: numbering and quotes stripped, apostrophes kept.
            Assert.All(accepted, t => Assert.Contains(t, material.WelshTexts(label)));
            Assert.Equal(accepted.Length, accepted.Select(DuplicateTracker.Normalize).Distinct().Count());
        }

        var strategy = GenerationStrategy.Parse(preset);
        var prompts = client.Requests.Where(r => IsGenerationPrompt(r.Messages)).Select(r => r.Messages[1].Text).ToArray();
        Assert.NotEmpty(prompts);
        var pool = strategy.Demonstrations == DemonstrationSource.English ? material.EnglishTrain : material.WelshTrain;
        Assert.All(prompts, p => Assert.Equal(strategy.Demonstrations != DemonstrationSource.None, p.Contains("Examples of texts")));
        if (strategy.Demonstrations != DemonstrationSource.None)
        {
            var record = result.Records[0];
            Assert.Equal(10, record.DemonstrationIds.Count);
            Assert.All(record.DemonstrationIds, id => Assert.Contains(pool, e => e.Id == id && e.Label == record.Label));
        }

        Assert.All(prompts, p => Assert.Equal(strategy.Description == LabelDescriptionSource.Summarized, p.Contains(MessyGenerator.Summary)));
        var describeCalls = client.Requests.Count(r => r.Messages[0].Text.Contains("describe", StringComparison.Ordinal));
        Assert.Equal(strategy.Description == LabelDescriptionSource.Summarized ? 3 : 0, describeCalls);
        if (strategy.Revision)
        {
            Assert.All(result.Accepted, e => Assert.Contains(e.Text, generator.JudgedTexts));
        }
        else
        {
            Assert.Empty(generator.JudgedTexts);
        }
    }

    [Fact]
    public async Task MessyAnswersOfEveryKindAreCleanedAndCountedAtEachStage()
    {
        var material = await GenerationMaterial.GetAsync();
        var task = BuiltInTasks.Massive10 with { Labels = ["cooking_recipe"] };
        var client = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var options = new GenerationOptions { ModelId = "scripted-model", BatchSize = 8, ExtraPerRequest = 0, MaxAttemptsPerClass = 20 };
        var result = await new GenerationRunner(client, Identifier(material))
            .RunAsync(Request(material, "target-demos", 50, options: options, task: task), CancellationToken.None);

        var report = Assert.Single(result.Report.Classes);
        Assert.Equal(50, report.Accepted);
        Assert.True(report.Attempts >= MessyGenerator.FormatCount, $"only {report.Attempts} attempts");
        Assert.All(result.Accepted, e => Assert.Contains(e.Text, material.WelshTexts("cooking_recipe")));
        Assert.Contains(result.Accepted, e => e.Text.Contains("wedi'i", StringComparison.Ordinal));

        var stages = report.Stages.ToDictionary(s => s.Stage);
        foreach (var stage in new[] { GenerationStages.Parse, GenerationStages.Length, GenerationStages.Duplicate, GenerationStages.Language })
        {
            Assert.True(stages[stage].Passed < stages[stage].Entered, $"nothing rejected at {stage}");
        }

        Assert.Equal(report.Candidates, result.Records.Count);
        Assert.Equal(50, stages[GenerationStages.Judge].Passed);
        Assert.Contains(result.Records, r => r.RejectionStage == GenerationStages.Language && r.DetectedLanguage == "en" && r.LanguageConfidence > 0.9);
        Assert.Contains(result.Records, r => r.RejectionReason == "normalized duplicate");
        Assert.True(report.TokensPerAccepted > 0);
    }

    [Fact]
    public async Task QuotasHoldAndTheAttemptLimitStopsAModelThatRepeatsItself()
    {
        var client = new ScriptedChatClient((messages, _) => messages[0].Text.Contains("review", StringComparison.Ordinal)
            ? "{\"verdict\": \"yes\", \"reason\": \"ok\"}"
            : "1. Pa larymau sydd gen i heddiw?\n2. Ydy'r larwm wedi'i osod?\n3. Faint o'r gloch mae'r larwm yn canu?");
        var material = await GenerationMaterial.GetAsync();
        var options = new GenerationOptions { ModelId = "scripted-model", MaxAttemptsPerClass = 4 };
        var request = Request(material, "target-demos+revision", 10, options: options,
            task: BuiltInTasks.Massive10 with { Labels = ["alarm_query"] });
        var result = await new GenerationRunner(client).RunAsync(request, CancellationToken.None);

        var report = Assert.Single(result.Report.Classes);
        Assert.Equal((3, 4, true, false), (report.Accepted, report.Attempts, report.AttemptLimitReached, report.QuotaMet));
        Assert.Single(result.Report.ShortClasses);
        var generationRequests = client.Requests.Where(r => IsGenerationPrompt(r.Messages)).ToArray();
        Assert.Equal(4, generationRequests.Length);
        Assert.Equal([0, 1, 2, 3], generationRequests.Select(r => r.Options.GetSampleIndex()).Order());
        Assert.Equal(9, result.Records.Count(r => r.RejectionStage == GenerationStages.Duplicate));

        // A model that gives more than the quota needs: exactly the quota is kept, the rest is recorded as surplus, unjudged.
        var generous = await new GenerationRunner(client).RunAsync(request with { PerClass = 2 }, CancellationToken.None);
        Assert.Equal(2, generous.Accepted.Count);
        var surplus = Assert.Single(generous.Records, r => r.RejectionStage == GenerationStages.Surplus);
        Assert.Null(surplus.JudgeVerdict);
    }

    [Fact]
    public async Task TheJudgesNoDropsTheExampleWithItsReason()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material) { FixedFormat = 5 };
        foreach (var text in material.WelshTexts("alarm_query").Take(3))
        {
            generator.JudgeRejects.Add(text);
        }

        var result = await new GenerationRunner(new ScriptedChatClient(generator.Respond))
            .RunAsync(Request(material, "target-demos+revision", output: _directory), CancellationToken.None);

        Assert.True(result.Report.AllQuotasMet);
        var rejected = result.Records.Where(r => r.RejectionStage == GenerationStages.Judge).ToArray();
        Assert.Equal(generator.JudgeRejects.Order(), rejected.Select(r => r.Text).Order());
        Assert.All(rejected, r => Assert.Equal(("no", "not about the label"), (r.JudgeVerdict, r.JudgeReason)));
        Assert.DoesNotContain(result.Accepted, e => generator.JudgeRejects.Contains(e.Text));
        Assert.All(result.Records.Where(r => r.Accepted), r => Assert.Equal(("yes", "judge/1"), (r.JudgeVerdict, r.JudgeTemplateVersion)));

        var rejectedCsv = await ExampleFiles.ReadAsync(Path.Combine(_directory, "cy-rejected.csv"), new ImportOptions { Language = "cy" }, CancellationToken.None);
        Assert.Equal(rejected.Select(r => r.Text).Order(), rejectedCsv.Examples.Where(e => generator.JudgeRejects.Contains(e.Text)).Select(e => e.Text).Order());
    }

    [Fact]
    public async Task TheLastLineOfAnAnswerCutByTheTokenLimitIsNeverKept()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material) { FixedFormat = 5 };
        var client = new AnswerShapingClient(new ScriptedChatClient(generator.Respond), isCut: _ => true);
        var result = await new GenerationRunner(client).RunAsync(Request(material, "target-demos"), CancellationToken.None);

        var cut = result.Records.Where(r => r.RejectionReason == GeneratedTextParser.CutByTokenLimit).ToArray();
        Assert.Equal(result.Report.Classes.Sum(c => c.Attempts), cut.Length);
        Assert.All(cut, r => Assert.EndsWith(r.Text, r.RawAnswer));
        Assert.All(cut, r => Assert.Equal("length", r.FinishReason));
    }

    [Fact]
    public async Task ProvenanceIsCompleteAndTheTrainingFileRoundTripsThroughTheImporter()
    {
        var material = await GenerationMaterial.GetAsync();
        var result = await new GenerationRunner(new ScriptedChatClient(new MessyGenerator(material).Respond), Identifier(material))
            .RunAsync(Request(material, "target-demos+sl+revision", 6, _directory,
                new GenerationOptions { ModelId = "scripted-model", Temperature = 0.7f, TopP = 0.9f, Seed = 7 }), CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, "cy-examples.jsonl"));
        Assert.Equal(result.Records.Count, lines.Length);
        var attempts = (await File.ReadAllLinesAsync(Path.Combine(_directory, "cy-attempts.jsonl")))
            .Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        foreach (var line in lines)
        {
            var record = JsonDocument.Parse(line).RootElement;
            Assert.Equal("target-demos+sl+revision", record.GetProperty("strategy").GetString());
            Assert.Equal("scripted-model", record.GetProperty("model").GetString());
            Assert.Equal("generate/1", record.GetProperty("template_version").GetString());
            Assert.Equal("llm", record.GetProperty("description_source").GetString());
            Assert.Matches("^[0-9a-f]{16}$", record.GetProperty("prompt_hash").GetString());
            var sampling = record.GetProperty("sampling");
            Assert.Equal(0.7, sampling.GetProperty("temperature").GetDouble(), 3);
            Assert.Equal(0.9, sampling.GetProperty("top_p").GetDouble(), 3);
            Assert.True(sampling.TryGetProperty("seed", out _));
            Assert.Equal(10, record.GetProperty("demonstration_ids").GetArrayLength());
            var attempt = record.GetProperty("attempt").GetInt32();
            var label = record.GetProperty("label").GetString();
            var answer = Assert.Single(attempts, a => a.GetProperty("label").GetString() == label && a.GetProperty("attempt").GetInt32() == attempt);
            Assert.Equal(answer.GetProperty("raw_answer").GetString(), record.GetProperty("raw_answer").GetString());
            var accepted = record.GetProperty("accepted").GetBoolean();
            Assert.Equal(accepted, !record.TryGetProperty("rejection_stage", out _));
            if (accepted)
            {
                Assert.Equal("yes", record.GetProperty("judge_verdict").GetString());
                Assert.False(string.IsNullOrEmpty(record.GetProperty("judge_reason").GetString()));
                Assert.Equal("cy", record.GetProperty("detected_language").GetString());
            }
        }

        var imported = await ExampleFiles.ReadAsync(Path.Combine(_directory, "cy-generated.csv"),
            new ImportOptions { Language = "cy", Task = GenerationMaterial.ThreeIntents }, CancellationToken.None);
        Assert.Equal(result.Accepted.Select(e => (e.Text, e.Label)), imported.Examples.Select(e => (e.Text, e.Label)));
        Assert.Equal(18, imported.Examples.Count);
        Assert.StartsWith("text,intent\n", await File.ReadAllTextAsync(Path.Combine(_directory, "cy-generated.csv")));

        var descriptions = await LabelDescriptionStore.ReadAsync(Path.Combine(_directory, "cy-label-descriptions.json"), CancellationToken.None);
        Assert.Equal(3, descriptions.Count);
        Assert.All(descriptions, d => Assert.Equal(("scripted-model", "describe/1", "cy", 10), (d.Model, d.TemplateVersion, d.SourceLanguage, d.ExampleIds!.Count)));
        Assert.All(descriptions, d => Assert.All(d.ExampleIds!, id => Assert.Contains(material.WelshTrain, e => e.Id == id && e.Label == d.Label)));

        var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "cy-report.json"))).RootElement;
        Assert.Equal(3, report.GetProperty("classes").GetArrayLength());
    }

    [Fact]
    public async Task ACrashedRunResumesWithoutLosingOrRepeatingExamples()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material);
        var calls = 0;
        var crashing = new ScriptedChatClient((messages, options) =>
            Interlocked.Increment(ref calls) > 4 ? throw new HttpRequestException("connection reset") : generator.Respond(messages, options));
        var request = Request(material, "target-demos", 20, _directory,
            new GenerationOptions { ModelId = "scripted-model", BatchSize = 5, MaxConcurrentAttemptsPerClass = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => new GenerationRunner(crashing, Identifier(material)).RunAsync(request, CancellationToken.None));

        var examplesPath = Path.Combine(_directory, "cy-examples.jsonl");
        var before = (await File.ReadAllLinesAsync(examplesPath)).Select(l => JsonSerializer.Deserialize<JsonElement>(l).GetProperty("id").GetString()).ToArray();
        Assert.NotEmpty(before);
        var answeredBefore = (await File.ReadAllLinesAsync(Path.Combine(_directory, "cy-attempts.jsonl")))
            .Select(l => JsonSerializer.Deserialize<JsonElement>(l)).Select(a => (a.GetProperty("label").GetString(), a.GetProperty("attempt").GetInt32()))
            .ToArray();
        Assert.Equal(4, answeredBefore.Length);
        // The crash also cut the last line in half.
        await File.AppendAllTextAsync(examplesPath, "{\"id\":\"half-writ");

        var healthy = new ScriptedChatClient(generator.Respond);
        var result = await new GenerationRunner(healthy, Identifier(material)).RunAsync(request, CancellationToken.None);

        Assert.True(result.Report.Resumed);
        Assert.True(result.Report.AllQuotasMet);
        var after = (await File.ReadAllLinesAsync(examplesPath)).Select(l => JsonSerializer.Deserialize<JsonElement>(l).GetProperty("id").GetString()).ToArray();
        Assert.Equal(after.Length, after.Distinct().Count());
        Assert.All(before, id => Assert.Contains(id, after));
        Assert.Equal(60, result.Accepted.Count);
        Assert.Equal(60, result.Accepted.Select(e => e.Text).Distinct().Count());
        // No answered sample index is asked again, so a response cache could never replay an earlier answer.
        Assert.DoesNotContain(healthy.Requests, r => answeredBefore.Contains((r.Messages[1].Text.Split('"')[1], r.Options.GetSampleIndex())));

        var mismatch = request with { Strategy = GenerationStrategy.Parse("target-demos+revision") };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new GenerationRunner(healthy).RunAsync(mismatch, CancellationToken.None));
        Assert.Contains("now target-demos+revision", error.Message); // a sentence naming what changed, not two records
        Assert.DoesNotContain("RunManifest", error.Message);
    }

    [Fact]
    public async Task ALanguageTheDetectorDoesNotKnowGetsTheScriptCheckWhichCannotTellLatinLanguagesApart()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material) { FixedFormat = 3 };
        var result = await new GenerationRunner(new ScriptedChatClient(generator.Respond), Identifier(material, "en", "de"))
            .RunAsync(Request(material, "target-demos", 9), CancellationToken.None);

        // Welsh is written in Latin script (cym_Latn): the script check runs, is reported, and lets English lines through.
        Assert.Equal("script:Latn", result.Report.LanguageCheck);
        Assert.All(result.Report.Classes, c => Assert.Equal("script:Latn", c.LanguageCheck));
        Assert.Empty(result.Report.Warnings);
        Assert.DoesNotContain(result.Records, r => r.RejectionStage == GenerationStages.Language);
        Assert.All(result.Records.Where(r => r.Accepted), r => Assert.Equal("Latn", r.DetectedLanguage));
        Assert.Contains(result.Accepted, e => material.EnglishTrain.Any(x => x.Text == e.Text));
    }

    [Fact]
    public async Task LinguaRejectsTheEnglishLinesAmongWelshOnes()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material) { FixedFormat = 3 };
        var result = await new GenerationRunner(new ScriptedChatClient(generator.Respond), new LowResGen.Common.LinguaLanguageIdentifier(["cy", "en", "de"]))
            .RunAsync(Request(material, "target-demos", 4), CancellationToken.None);

        Assert.Empty(result.Report.Warnings);
        var english = result.Records.Where(r => material.EnglishTrain.Any(e => e.Text == r.Text)).ToArray();
        Assert.Equal(3, english.Length);
        Assert.All(english, r => Assert.Equal((GenerationStages.Language, "en"), (r.RejectionStage, r.DetectedLanguage)));
        Assert.All(result.Accepted, e => Assert.Contains(e.Text, material.WelshTexts(e.Label)));
        Assert.All(result.Records.Where(r => r.Accepted), r => Assert.Equal("cy", r.DetectedLanguage));
    }

    [Fact]
    public async Task StoredSummariesAreReusedInsteadOfAskingAgain()
    {
        var material = await GenerationMaterial.GetAsync();
        var first = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var firstResult = await new GenerationRunner(first).RunAsync(Request(material, "sl", 3), CancellationToken.None);
        Assert.Equal(3, first.Requests.Count(r => r.Messages[0].Text.Contains("describe", StringComparison.Ordinal)));
        Assert.All(firstResult.Descriptions, d => Assert.StartsWith("This intent involves", d.Text));

        var second = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var request = Request(material, "sl", 3) with { KnownDescriptions = firstResult.Descriptions };
        var secondResult = await new GenerationRunner(second).RunAsync(request, CancellationToken.None);
        Assert.DoesNotContain(second.Requests, r => r.Messages[0].Text.Contains("describe", StringComparison.Ordinal));
        Assert.Equal(firstResult.Descriptions, secondResult.Descriptions);

        // Another model's summaries do not count as this model's.
        var third = new ScriptedChatClient(new MessyGenerator(material).Respond);
        await new GenerationRunner(third).RunAsync(request with { Options = new GenerationOptions { ModelId = "other-model" } }, CancellationToken.None);
        Assert.Equal(3, third.Requests.Count(r => r.Messages[0].Text.Contains("describe", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ClassesRunConcurrentlyWithinTheMiddlewaresBound()
    {
        // The runner has no gate of its own: the bound is the LLM middleware's (adaptive concurrency), here 2 in flight.
        var material = await GenerationMaterial.GetAsync();
        var gate = new InFlightCounter(new ScriptedChatClient(new MessyGenerator(material).Respond));
        using var bounded = new ChatClientBuilder(gate).UseLowResGenConcurrency(new LowResGen.Llm.Middleware.ConcurrencyOptions { InitialLimit = 2 }).Build();
        await new GenerationRunner(bounded).RunAsync(Request(material, "target-demos", 12,
            options: new GenerationOptions { ModelId = "m", BatchSize = 4 }), CancellationToken.None);
        Assert.Equal(2, gate.MaxInFlight);

        // Without a bound, the three classes and their concurrent attempts are all in flight at once.
        var unbounded = new InFlightCounter(new ScriptedChatClient(new MessyGenerator(material).Respond));
        await new GenerationRunner(unbounded).RunAsync(Request(material, "target-demos", 12,
            options: new GenerationOptions { ModelId = "m", BatchSize = 4 }), CancellationToken.None);
        Assert.True(unbounded.MaxInFlight > 2, $"only {unbounded.MaxInFlight} in flight");
    }

    [Fact]
    public async Task PromptsThatOverflowTheContextLoseDemonstrations()
    {
        var material = await GenerationMaterial.GetAsync();
        var client = new AnswerShapingClient(new ScriptedChatClient(new MessyGenerator(material).Respond), counter: new WordTokenCounter(260));
        var result = await new GenerationRunner(client).RunAsync(Request(material, "english-demos+revision", 3,
            options: new GenerationOptions { ModelId = "m", MaxOutputTokens = 100 }), CancellationToken.None);
        Assert.All(result.Records, r => Assert.InRange(r.DemonstrationIds.Count, 1, 9));
        Assert.Contains(result.Report.Warnings, w => w.Contains("dropped to fit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJsonListIsAskedForWithASchema()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material) { FixedFormat = 2 };
        var client = new ScriptedChatClient(generator.Respond);
        var result = await new GenerationRunner(client).RunAsync(Request(material, "target-demos", 4,
            options: new GenerationOptions { ModelId = "m", AskForJsonList = true }), CancellationToken.None);
        Assert.True(result.Report.AllQuotasMet);
        Assert.All(client.Requests, r =>
        {
            var format = Assert.IsType<ChatResponseFormatJson>(r.Options!.ResponseFormat);
            Assert.Contains("\"examples\"", format.Schema!.Value.GetRawText());
            Assert.Contains("JSON object", r.Messages[1].Text);
        });
    }

    [Fact]
    public async Task MissingInputsForTheStrategyAreClearErrors()
    {
        var material = await GenerationMaterial.GetAsync();
        var client = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var noEnglish = Request(material, "english-demos+sl") with { EnglishTrainingData = [] };
        Assert.Contains("English demonstrations", (await Assert.ThrowsAsync<ArgumentException>(() =>
            new GenerationRunner(client).RunAsync(noEnglish, CancellationToken.None))).Message);
        var noDescriptions = Request(material, "human-desc") with { Task = GenerationMaterial.ThreeIntents with { Descriptions = null } };
        Assert.Contains("alarm_query", (await Assert.ThrowsAsync<ArgumentException>(() =>
            new GenerationRunner(client).RunAsync(noDescriptions, CancellationToken.None))).Message);
        Assert.Empty(client.Requests);
    }

    /// <summary>Holds each call a moment and records the most calls in flight at once.</summary>
    private sealed class InFlightCounter(IChatClient inner) : DelegatingChatClient(inner)
    {
        private int _inFlight;

        public int MaxInFlight { get; private set; }

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var now = Interlocked.Increment(ref _inFlight);
            lock (this)
            {
                MaxInFlight = Math.Max(MaxInFlight, now);
            }

            try
            {
                await Task.Delay(30, cancellationToken);
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
