using System.Collections.Concurrent;
using LowResGen.Cli.Commands;
using LowResGen.Experiments;
using LowResGen.Tests.Experiments;
using LowResGen.Tests.LlmClassification;

namespace LowResGen.Tests.Cli;

/// <summary>--language-name replaces the registry's name of the language in every prompt that names it.</summary>
public sealed class LanguageNameTests : IAsyncLifetime
{
    private const string Name = "Cymraeg y Gogledd";
    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-language-name-").FullName;
    private readonly ConcurrentBag<string> prompts = [];
    private FakeOpenAiServer server = null!;

    public async Task InitializeAsync()
    {
        server = await FakeOpenAiServer.StartAsync();
        server.Responder = request =>
        {
            prompts.Add(string.Join('\n', request.Messages.Select(m => m.Content)));
            return request.LastUserMessage.Contains("example texts in", StringComparison.Ordinal)
                ? "This sentiment expresses a view."
                : $"Dyma frawddeg gyntaf rhif {request.Number}\nDyma ail frawddeg rhif {request.Number}";
        };
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Generate_names_the_language_as_told_in_its_prompts()
    {
        var (code, _, stderr) = await CliTestHost.RunAsync(GenerateCommand.Create(), "generate", "--model", server.BaseUrl + "#m",
            "--task", "sentiment", "--language", "cy", "--language-name", Name, "--strategy", "human-desc", "--per-class", "2",
            "--batch-size", "2", "--no-language-check", "--output", Path.Combine(directory, "gen"));

        Assert.True(code == 0, stderr);
        Assert.NotEmpty(prompts);
        Assert.All(prompts, p => Assert.Contains(Name, p));
        Assert.DoesNotContain(prompts, p => p.Contains("Welsh", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Describe_labels_names_the_language_as_told_in_its_prompts_and_its_dry_run()
    {
        var train = Path.Combine(directory, "train.csv");
        await File.WriteAllLinesAsync(train, ["text,label", "ffilm wych,positive", "ffilm ddiflas,negative"]);
        string[] args = ["describe-labels", "--model", server.BaseUrl + "#m", "--task", "sentiment", "--language", "cy",
            "--language-name", Name, "--train", train, "--k", "1", "--output", Path.Combine(directory, "d.json")];

        var (dry, plan, _) = await CliTestHost.RunAsync(DescribeLabelsCommand.Create(), [.. args, "--dry-run"]);
        var (code, _, stderr) = await CliTestHost.RunAsync(DescribeLabelsCommand.Create(), args);

        Assert.Equal(0, dry);
        Assert.Contains($"example texts in {Name}", plan);
        Assert.True(code == 0, stderr);
        Assert.Equal(2, prompts.Count);
        Assert.All(prompts, p => Assert.Contains($"example texts in {Name}", p));
    }

    [Fact]
    public async Task A_study_names_each_language_as_its_language_names_say()
    {
        var file = Path.Combine(directory, "study.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(server.BaseUrl, "\"target-demos\"", "out", $"language_names = {{ cy = \"{Name}\" }}"));

        var (code, stdout, stderr) = await CliTestHost.RunAsync(StudyCommand.Create(), "study", "run", file, "--dry-run");

        Assert.True(code == 0, stderr);
        Assert.Equal(0, server.RequestCount);
        var cy = stdout[stdout.IndexOf("generate__intent__cy__", StringComparison.Ordinal)..stdout.IndexOf("generate__intent__sw__", StringComparison.Ordinal)];
        Assert.Contains(Name, cy);
        Assert.DoesNotContain("Welsh", cy);
    }

    [Fact]
    public async Task Quickstart_passes_its_language_name_to_the_study_it_runs()
    {
        var command = QuickstartCommand.Create(out var optionsOf);
        var options = optionsOf(command.Parse(["--language", "cy", "--language-name", Name, "--data-dir", SharedData.Datasets,
            "--model", server.BaseUrl + "#m", "--no-encoder", "--output", Path.Combine(directory, "qs")]));
        using var http = new HttpClient();

        var study = await Quickstart.PrepareAsync(options, http, null, CancellationToken.None);

        Assert.Equal(Name, options.LanguageName);
        Assert.Equal(Name, Assert.Single(study.LanguageNames, n => n.Key == "cy").Value);
    }
}
