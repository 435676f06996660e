using LowResGen.Cli.Commands;
using LowResGen.Data;
using LowResGen.DryRun;
using LowResGen.Generation;
using LowResGen.Tests.Experiments;
using LowResGen.Tests.LlmClassification;

namespace LowResGen.Tests.Cli;

/// <summary>--dry-run prints the prompts a run would send and how many calls it makes, and sends nothing.</summary>
public sealed class DryRunTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-dry-run-").FullName;
    private FakeOpenAiServer server = null!;

    private static string TrainData => SharedData.Kinit("intent", "{lang}", "train_human_parsed");

    public async Task InitializeAsync() => server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Generate_dry_run_prints_prompts_per_label_and_the_call_range_and_sends_nothing()
    {
        var output = Path.Combine(directory, "gen");

        var (code, stdout, stderr) = await CliTestHost.RunAsync(GenerateCommand.Create(), "generate", "--model", server.BaseUrl + "#m",
            "--task", "intent", "--language", "cy", "--strategy", "target-demos+sl+revision", "--per-class", "20", "--max-attempts", "4",
            "--train", TrainData, "--dry-run", "--dry-run-prompts", "2", "--output", output);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, server.RequestCount);
        Assert.False(Directory.Exists(output));

        // Per label: 1 description + 2 batches of 10 + 20 judge calls at least; 1 + 4 attempts x (1 + 12 judged) at most.
        Assert.Contains("dry run: massive10 / cy / target-demos+sl+revision / m: 230 to 530 LLM calls; nothing was sent.", stdout);
        foreach (var label in BuiltInTasks.Massive10.Labels)
        {
            Assert.Contains($"--- {label}: prompt 2 ---", stdout);
            Assert.DoesNotContain($"--- {label}: prompt 3 ---", stdout);
        }

        Assert.Contains("Here are 10 example texts in Welsh", stdout); // the description prompt
        Assert.Contains("Write 12 different texts in Welsh", stdout); // the first generation prompt
        Assert.Contains(DryRunPlanner.DescriptionPlaceholder, stdout);
    }

    [Fact]
    public async Task The_dry_run_prompts_are_the_ones_a_real_run_sends_first()
    {
        var train = (await LowResGen.Data.Import.ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_human_parsed"),
            new LowResGen.Data.Import.ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 }, CancellationToken.None)).Examples;
        var request = new GenerationRequest(BuiltInTasks.Massive10, "cy", GenerationStrategy.Parse("target-demos"), 10)
        {
            TargetTrainingData = train,
            Options = new GenerationOptions { ModelId = "m", MaxAttemptsPerClass = 1 },
        };
        var client = new ScriptedChatClient((_, _) => "");

        await new GenerationRunner(client).RunAsync(request, CancellationToken.None);
        var plan = await DryRunPlanner.GenerationAsync(request, "m", 1, CancellationToken.None);

        Assert.Equal(10, plan.Prompts.Count);
        var sent = client.Requests.Select(r => Render(r.Messages)).ToHashSet();
        Assert.All(plan.Prompts, p => Assert.Contains(Render(p.Messages), sent));
        Assert.All(plan.Prompts, p => Assert.Contains($"\"{p.Label}\"", p.Messages[^1].Text));
    }

    private static string Render(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages) =>
        string.Join("\n§\n", messages.Select(m => m.Role.Value + ": " + m.Text));

    [Fact]
    public async Task Classify_dry_run_counts_every_repeat_and_sends_nothing()
    {
        var test = SharedData.Kinit("intent", "cy", "test");
        var texts = (await LowResGen.Data.Import.ExampleFiles.ReadAsync(test, new LowResGen.Data.Import.ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 },
            CancellationToken.None)).Examples.Count;

        var (code, stdout, stderr) = await CliTestHost.RunAsync(ClassifyCommand.Create(), "classify", "--model", server.BaseUrl + "#m",
            "--test", test, "--task", "intent", "--language", "cy", "--mode", "k-shot", "--k", "2", "--repeats", "3",
            "--demonstrations", SharedData.Kinit("intent", "cy", "train_human_parsed"), "--dry-run", "--dry-run-prompts", "1",
            "--output", Path.Combine(directory, "classify"));

        Assert.True(code == 0, stderr);
        Assert.Equal(0, server.RequestCount);
        Assert.False(Directory.Exists(Path.Combine(directory, "classify")));
        Assert.Contains($": {3 * texts} LLM calls; nothing was sent.", stdout);
        Assert.Contains("--- llm-2-shot-gold, gold alarm_query: prompt 1 ---", stdout);
    }

    [Fact]
    public async Task Describe_labels_dry_run_sends_nothing_and_writes_nothing()
    {
        var file = Path.Combine(directory, "descriptions.json");

        var (code, stdout, stderr) = await CliTestHost.RunAsync(DescribeLabelsCommand.Create(), "describe-labels", "--model", server.BaseUrl + "#m",
            "--task", "intent", "--language", "cy", "--train", TrainData, "--output", file, "--dry-run");

        Assert.True(code == 0, stderr);
        Assert.Equal(0, server.RequestCount);
        Assert.False(File.Exists(file));
        Assert.Contains("dry run: describe massive10 / cy / m: 10 LLM calls; nothing was sent.", stdout);
        Assert.Contains("--- weather_query: prompt 1 ---", stdout);
    }

    [Fact]
    public async Task Study_run_dry_run_plans_every_cell_and_sends_nothing()
    {
        var file = Path.Combine(directory, "study.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(server.BaseUrl, "\"target-demos\"", "out",
            "llm_classification = [\"zero-shot\", \"2-shot-gold\", \"2-shot-generated\"]"));

        var (code, stdout, stderr) = await CliTestHost.RunAsync(StudyCommand.Create(), "study", "run", file, "--dry-run");

        Assert.True(code == 0, stderr);
        Assert.Equal(0, server.RequestCount);
        Assert.False(Directory.Exists(Path.Combine(directory, "out")));
        Assert.Contains("generate__intent__cy__fake__target-demos\ndry run: massive10 / cy / target-demos / fake:", stdout);
        Assert.Contains("generate__intent__sw__fake__target-demos: ", stdout);
        Assert.Contains("2 k-shot cell(s) draw from sets not generated yet", stdout);
        Assert.Contains("nothing was sent", stdout);
    }
}
