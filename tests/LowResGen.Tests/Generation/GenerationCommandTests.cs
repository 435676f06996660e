using System.CommandLine;
using LowResGen.Cli.Commands;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Generation;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Generation;

public sealed class GenerationCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("generate-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private static string TrainData => SharedData.Kinit("intent", "{lang}", "train_human_parsed");

    private GenerateCommand.GenerateSettings Settings(string strategy, int perClass = 2) =>
        new("intent", "cy", strategy, perClass, TrainData, _directory, null, LanguageCheck: false,
            new GenerationOptions { ModelId = "scripted-model", MaxAttemptsPerClass = 3 });

    [Fact]
    public async Task AStrategyFileRunsEachStrategyIntoItsOwnDirectory()
    {
        var material = await GenerationMaterial.GetAsync();
        var strategies = Path.Combine(_directory, "strategies.txt");
        await File.WriteAllTextAsync(strategies, "# two of the presets\nenglish-demos+sl\ntarget-demos:k=3+human-desc+revision\n");
        var client = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var output = new StringWriter();

        var exitCode = await GenerateCommand.RunAsync(Settings("@" + strategies), client, output, CancellationToken.None);

        Assert.Equal(0, exitCode);
        foreach (var name in new[] { "english-demos+sl", "target-demos_k_3+human-desc+revision" })
        {
            var imported = await ExampleFiles.ReadAsync(Path.Combine(_directory, name, "cy-generated.csv"),
                new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 }, CancellationToken.None);
            Assert.Equal(20, imported.Examples.Count);
        }

        var printed = output.ToString();
        Assert.Contains("massive10 / cy / english-demos+sl / scripted-model: 20 examples", printed);
        Assert.Contains("massive10 / cy / target-demos:k=3+human-desc+revision / scripted-model: 20 examples", printed);
        Assert.Contains("judge%", printed);
        Assert.Contains("alarm_query", printed);
    }

    [Fact]
    public async Task BadInputEndsWithAMessageAndExitCodeOne()
    {
        var client = new ScriptedChatClient((_, _) => "");
        var error = new StringWriter();
        var exitCode = await CliErrors.GuardAsync(error,
            () => GenerateCommand.RunAsync(Settings("target-demos+telepathy"), client, TextWriter.Null, CancellationToken.None));
        Assert.Equal(1, exitCode);
        Assert.Contains("Unknown strategy component 'telepathy'", error.ToString());

        exitCode = await CliErrors.GuardAsync(error, () =>
            GenerateCommand.RunAsync(Settings("target-demos") with { TrainData = null }, client, TextWriter.Null, CancellationToken.None));
        Assert.Equal(1, exitCode);
        Assert.Contains("needs gold training data", error.ToString());
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task ASecondRunOnTheSameOutputStopsAtOnceNamingTheHolderAndSendsNothing()
    {
        var client = new ScriptedChatClient((_, _) => "1. Deffro fi am saith");
        var error = new StringWriter();
        using (await LowResGen.Common.RunLock.AcquireAsync(Path.Combine(_directory, ".cy.lock"), wait: false, CancellationToken.None))
        {
            var exitCode = await CliErrors.GuardAsync(error,
                () => GenerateCommand.RunAsync(Settings("zero-shot"), client, TextWriter.Null, CancellationToken.None));

            Assert.Equal(1, exitCode);
            Assert.Contains($"is in use by another run (pid {Environment.ProcessId} on {Environment.MachineName}", error.ToString());
            Assert.Contains("write to another --output", error.ToString());
            Assert.Empty(client.Requests);
        }

        // Released: the same output runs.
        var again = await GenerateCommand.RunAsync(Settings("zero-shot") with { Options = new GenerationOptions { ModelId = "m", MaxAttemptsPerClass = 1 } },
            client, TextWriter.Null, CancellationToken.None, error: TextWriter.Null);
        Assert.NotEmpty(client.Requests);
        Assert.Equal(CliErrors.Shortfall, again);
    }

    [Fact]
    public async Task AClassBelowItsQuotaExitsWithTheShortfallCodeNamingItUnlessAllowed()
    {
        // Two answers for alarm_query only: it fills its quota of 2, every other label ends at 0 after its attempts.
        var client = new ScriptedChatClient((messages, _) =>
            messages[^1].Text.Contains("\"alarm_query\"", StringComparison.Ordinal) ? "1. Deffro fi am saith\n2. Gosod larwm am wyth" : "");
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await GenerateCommand.RunAsync(Settings("zero-shot") with { Options = new GenerationOptions { ModelId = "m", MaxAttemptsPerClass = 1 } },
            client, output, CancellationToken.None, error: error);

        Assert.Equal(CliErrors.Shortfall, exitCode);
        Assert.Equal(3, CliErrors.Shortfall);
        var message = error.ToString();
        Assert.StartsWith("error: 1 generation run(s) ended with classes below their quota", message);
        Assert.Contains("zero-shot: 0–2 of 2 per class; short: ", message);
        Assert.Contains("weather_query 0/2", message);
        Assert.DoesNotContain("alarm_query", message);
        Assert.Contains("--allow-shortfall", message);

        // Allowed: the same run (resumed) exits 0 and still says which classes are short.
        var allowed = new StringWriter();
        exitCode = await GenerateCommand.RunAsync(Settings("zero-shot") with
        {
            Options = new GenerationOptions { ModelId = "m", MaxAttemptsPerClass = 1 },
            AllowShortfall = true,
        }, client, TextWriter.Null, CancellationToken.None, error: allowed);
        Assert.Equal(0, exitCode);
        Assert.StartsWith("warning: 1 generation run(s)", allowed.ToString());
        Assert.Contains("weather_query 0/2", allowed.ToString());
    }

    [Fact]
    public async Task DescribeLabelsStoresDescriptionsAndReusesThem()
    {
        var material = await GenerationMaterial.GetAsync();
        var client = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var file = Path.Combine(_directory, "descriptions.json");
        var settings = new DescribeLabelsCommand.DescribeSettings("intent", "cy", TrainData, file, 5, 42, null);
        var output = new StringWriter();

        Assert.Equal(0, await DescribeLabelsCommand.RunAsync(settings, client, output, CancellationToken.None));
        Assert.Equal(0, await DescribeLabelsCommand.RunAsync(settings, client, output, CancellationToken.None));

        Assert.Equal(10, client.CallCount);
        var stored = await LabelDescriptionStore.ReadAsync(file, CancellationToken.None);
        Assert.Equal(BuiltInTasks.Massive10.Labels.Order(), stored.Select(d => d.Label).Order());
        Assert.All(stored, d => Assert.Equal((5, "describe/1", "cy"), (d.ExampleIds!.Count, d.TemplateVersion, d.SourceLanguage)));
        Assert.Contains("alarm_query: " + MessyGenerator.Summary, output.ToString());

        // generate reuses them: no describe calls at all.
        var generating = new ScriptedChatClient(new MessyGenerator(material).Respond);
        var model = stored[0].Model!;
        var generate = Settings("sl:k=5") with { DescriptionsFile = file, Options = new GenerationOptions { ModelId = model, MaxAttemptsPerClass = 3 } };
        Assert.Equal(0, await GenerateCommand.RunAsync(generate, generating, TextWriter.Null, CancellationToken.None));
        Assert.DoesNotContain(generating.Requests, r => r.Messages[0].Text.Contains("describe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCliGeneratesThroughAServedEndpointSurvivesAServerErrorAndResumesWithoutNewRequests()
    {
        var material = await GenerationMaterial.GetAsync();
        var generator = new MessyGenerator(material);
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Responder = r => generator.Respond(
            [.. r.Messages.Select(m => new Microsoft.Extensions.AI.ChatMessage(new Microsoft.Extensions.AI.ChatRole(m.Role), m.Content))],
            (int)((r.Body["seed"]?.GetValue<long>() ?? 0) % 1000));
        server.Faults = r => r.Number == 5 ? FakeFault.ServerError : FakeFault.None;
        var outputDirectory = Path.Combine(_directory, "served");
        string[] args =
        [
            "generate", "--task", "intent", "--language", "cy", "--strategy", "target-demos:k=3+sl+revision", "--per-class", "2",
            "--model", server.BaseUrl + "#fake-llm", "--train", TrainData, "--output", outputDirectory, "--no-language-check",
        ];

        var (exitCode, printed) = await InvokeAsync(args);

        Assert.Equal(0, exitCode);
        var imported = await ExampleFiles.ReadAsync(Path.Combine(outputDirectory, "cy-generated.csv"),
            new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 }, CancellationToken.None);
        Assert.Equal(20, imported.Examples.Count);
        Assert.All(imported.Examples, e => Assert.Contains(e.Text, material.WelshTexts(e.Label)));
        Assert.Contains("massive10 / cy / target-demos:k=3+sl+revision / fake-llm: 20 examples", printed);
        var judged = server.Requests.Where(r => r.Body["response_format"] is not null).ToArray();
        Assert.NotEmpty(judged);
        Assert.All(judged, r => Assert.Contains("verdict", r.Body["response_format"]!.ToJsonString()));
        var requests = server.RequestCount;

        // The same command again: everything is on disk, so it resumes, reports, and asks the server nothing.
        (exitCode, printed) = await InvokeAsync(args);
        Assert.Equal(0, exitCode);
        Assert.Contains("20 examples (resumed)", printed);
        Assert.Equal(requests, server.RequestCount);
    }

    private static async Task<(int ExitCode, string Output)> InvokeAsync(string[] args)
    {
        var root = new RootCommand { GenerateCommand.Create(), DescribeLabelsCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output + error.ToString());
    }

    [Fact]
    public async Task TheCliRunsAFullStrategyOnTheTinyEmbeddedModelAndStopsAtTheAttemptLimit()
    {
        var model = Path.Combine(_directory, "tiny.gguf");
        TinyGgufWriter.Write(model, new GgufModelSpec { ContextLength = 2048 });
        var root = new RootCommand { GenerateCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var outputDirectory = Path.Combine(_directory, "out");
        string[] args =
        [
            "generate", "--task", "intent", "--language", "cy", "--strategy", "target-demos:k=2+revision", "--per-class", "3",
            "--model", model, "--train", TrainData, "--output", outputDirectory, "--max-attempts", "2", "--max-tokens", "40",
            "--batch-size", "3", "--no-language-check",
        ];

        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outputDirectory, "cy-report.json"))).RootElement;
        var classes = report.GetProperty("classes").EnumerateArray().ToArray();
        Assert.Equal(10, classes.Length);
        // Gibberish rarely passes the filters: the attempt limit, not the quota, ends most classes, and nothing loops.
        Assert.All(classes, c => Assert.InRange(c.GetProperty("attempts").GetInt32(), 1, 2));
        Assert.All(classes, c => Assert.True(c.GetProperty("accepted").GetInt32() == 3 || c.GetProperty("attempt_limit_reached").GetBoolean()));
        // A class that stopped short of its quota makes the run exit with the shortfall code, naming the class.
        var shortLabels = classes.Where(c => c.GetProperty("accepted").GetInt32() < 3).Select(c => c.GetProperty("label").GetString()!).ToArray();
        Assert.True(exitCode == (shortLabels.Length > 0 ? CliErrors.Shortfall : 0), error.ToString());
        Assert.All(shortLabels, label => Assert.Contains(label + " ", error.ToString()));
        var attempts = await File.ReadAllLinesAsync(Path.Combine(outputDirectory, "cy-attempts.jsonl"));
        Assert.Equal(classes.Sum(c => c.GetProperty("attempts").GetInt32()), attempts.Length);
        Assert.True(report.GetProperty("llm_tokens").GetInt64() > 0);
        Assert.NotEqual("unknown-model", report.GetProperty("model").GetString());
        var accepted = classes.Sum(c => c.GetProperty("accepted").GetInt32());
        var generated = Path.Combine(outputDirectory, "cy-generated.csv");
        if (accepted == 0)
        {
            // Nothing passed the filters: the set is the header alone, which readers refuse as a file without examples.
            Assert.Single(await File.ReadAllLinesAsync(generated));
        }
        else
        {
            var imported = await ExampleFiles.ReadAsync(generated, new ImportOptions { Language = "cy" }, CancellationToken.None);
            Assert.Equal(accepted, imported.Examples.Count);
        }

        Assert.Contains("training set:", output.ToString());
        Assert.True(File.Exists(Path.Combine(outputDirectory, "llm-cache.sqlite")));
    }
}
