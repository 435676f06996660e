using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Export;
using LowResGen.Generation;
using LowResGen.Tests.Generation;
using LowResGen.Tests.LlmClassification;
using YamlDotNet.RepresentationModel;

namespace LowResGen.Tests.Export;

public sealed class HuggingFaceDatasetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lowresgen-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_generated_set_reads_back_with_its_rows_and_provenance_and_the_card_states_the_exported_counts()
    {
        var material = await GenerationMaterial.GetAsync();
        var task = GenerationMaterial.ThreeIntents;
        var run = Path.Combine(_directory, "run");
        var request = new GenerationRequest(task, "cy", GenerationStrategy.Parse("target-demos"), 4)
        {
            TargetTrainingData = material.WelshTrain,
            OutputDirectory = run,
            Options = new GenerationOptions { ModelId = "scripted-model", Seed = 7 },
        };
        await new GenerationRunner(new ScriptedChatClient(new MessyGenerator(material).Respond)).RunAsync(request, CancellationToken.None);

        // The user curates the CSV before publishing: one class loses a row, and one row is written by hand.
        var csv = new GenerationOutputs(run, "cy").Generated;
        var generated = (await ExampleFiles.ReadAsync(csv, new ImportOptions { Task = task }, CancellationToken.None)).Examples.ToList();
        Assert.Equal(12, generated.Count);
        generated.Remove(generated.First(e => e.Label == "cooking_recipe"));
        generated.Add(generated[0] with { Text = "Pryd mae'r larwm nesaf?", Label = "alarm_query" });
        await ExampleFiles.WriteCsvAsync(csv, generated, null, CancellationToken.None);

        var (code, stdout, stderr) = await CliTestHost.RunAsync(LowResGen.Cli.Commands.ExportCommand.Create(), "export", "--format", "parquet",
            "--input", csv, "--task", "intent", "--output", Path.Combine(_directory, "hf"), "--license", "cc-by-4.0");
        Assert.True(code == 0, stderr);
        Assert.Contains("Wrote 12 rows (11 with generation provenance)", stdout);

        var rows = await HuggingFaceDataset.ReadRowsAsync(Path.Combine(_directory, "hf", HuggingFaceDataset.ParquetPath), CancellationToken.None);
        var exported = (await ExampleFiles.ReadAsync(csv, new ImportOptions { Task = task }, CancellationToken.None)).Examples;
        Assert.Equal(exported.Select(e => (e.Text, e.Label)), rows.Select(r => (r.Text, r.Label)));
        Assert.All(rows, r => Assert.Equal("cy", r.Language));

        var records = (await JsonlLog.ReadAsync<GeneratedExampleRecord>(new GenerationOutputs(run, "cy").Examples, CancellationToken.None))
            .Where(r => r.Accepted).ToList();
        var handWritten = Assert.Single(rows, r => r.Strategy is null);
        Assert.Equal("Pryd mae'r larwm nesaf?", handWritten.Text);
        Assert.Null(handWritten.Model);
        foreach (var row in rows.Where(r => r.Strategy is not null))
        {
            var record = Assert.Single(records, r => r.Text == row.Text && r.Label == row.Label);
            Assert.Equal((record.Id, "target-demos", "scripted-model", record.PromptHash, record.TemplateVersion),
                (row.Id, row.Strategy, row.Model, row.PromptHash, row.TemplateVersion));
            Assert.Equal(record.Sampling.Seed, row.Seed);
            Assert.Equal(string.Join(",", record.DemonstrationIds), row.DemonstrationIds);
            Assert.Equal("lowresgen:target-demos:scripted-model", row.Source);
            Assert.Equal(record.CreatedUtc, DateTimeOffset.Parse(row.CreatedUtc!, System.Globalization.CultureInfo.InvariantCulture));
        }

        var card = await ReadFrontMatterAsync(Path.Combine(_directory, "hf", HuggingFaceDataset.CardPath));
        Assert.Equal(["cy"], Sequence(card, "language"));
        Assert.Equal("cc-by-4.0", Scalar(card, "license"));
        Assert.Equal(["text-classification"], Sequence(card, "task_categories"));
        Assert.Equal(["intent-classification"], Sequence(card, "task_ids"));
        var lowresgen = (YamlMappingNode)card["lowresgen"];
        Assert.Equal("massive10", Scalar(lowresgen, "task"));
        Assert.Equal("scripted-model", Scalar(lowresgen, "generator"));
        Assert.Equal("target-demos", Scalar(lowresgen, "strategy"));
        Assert.Equal("12", Scalar(lowresgen, "examples"));
        Assert.Equal("11", Scalar(lowresgen, "examples_with_provenance"));
        var counts = ((YamlMappingNode)lowresgen["counts"]).Children.ToDictionary(c => c.Key.ToString(), c => int.Parse(c.Value.ToString(), System.Globalization.CultureInfo.InvariantCulture));
        // The task of the export is the built-in massive10: its other labels are exported with 0 rows (and were not asked for).
        Assert.Equal(BuiltInTasks.Massive10.Labels, counts.Keys);
        Assert.Equal(rows.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Count()), counts.Where(c => c.Value > 0).ToDictionary());
        Assert.Equal(new Dictionary<string, int> { ["alarm_query"] = 5, ["cooking_recipe"] = 3, ["transport_ticket"] = 4 },
            counts.Where(c => c.Value > 0).ToDictionary());
        var asked = ((YamlMappingNode)lowresgen["requested"]).Children.ToDictionary(c => c.Key.ToString(), c => c.Value.ToString());
        Assert.Equal(task.Labels.ToDictionary(l => l, _ => "4"), asked);
        Assert.Equal(["cooking_recipe"], Sequence(lowresgen, "short_labels"));
        var labels = ((YamlSequenceNode)lowresgen["labels"]).Children.Select(l => Scalar((YamlMappingNode)l, "value"));
        Assert.Equal(BuiltInTasks.Massive10.Labels, labels);
        var splits = (YamlSequenceNode)((YamlMappingNode)card["dataset_info"])["splits"];
        Assert.Equal("12", Scalar((YamlMappingNode)splits[0], "num_examples"));
    }

    [Fact]
    public async Task A_gold_file_exports_without_provenance_and_its_card_says_so()
    {
        var task = BuiltInTasks.Sib200;
        var input = SharedData.Kinit("topic", "cy", "test");
        var gold = (await ExampleFiles.ReadAsync(input, new ImportOptions { Task = task, Language = "cy" }, CancellationToken.None)).Examples;
        var result = await HuggingFaceDataset.WriteAsync(Path.Combine(_directory, "gold"), task, gold,
            await GenerationProvenance.FindAsync(input, CancellationToken.None), null, CancellationToken.None);

        var rows = await HuggingFaceDataset.ReadRowsAsync(result.ParquetFile, CancellationToken.None);
        Assert.Equal(gold.Select(e => (e.Id, e.Text, e.Label, e.Language, e.Source)), rows.Select(r => (r.Id, r.Text, r.Label, r.Language, r.Source)));
        Assert.All(rows, r => Assert.Null(r.Strategy ?? r.Model ?? r.PromptHash));

        var card = await ReadFrontMatterAsync(result.CardFile);
        var lowresgen = (YamlMappingNode)card["lowresgen"];
        Assert.Equal("unknown", Scalar(card, "license"));
        Assert.Equal(["topic-classification"], Sequence(card, "task_ids"));
        Assert.Equal("null", Scalar(lowresgen, "generator"));
        Assert.Equal("null", Scalar(lowresgen, "requested"));
        Assert.Equal(["lowresgen"], Sequence(card, "tags"));
        var counts = ((YamlMappingNode)lowresgen["counts"]).Children.ToDictionary(c => c.Key.ToString(), c => int.Parse(c.Value.ToString(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(task.Labels.ToDictionary(l => l, l => gold.Count(e => e.Label == l)), counts);
        Assert.Equal(gold.Count, counts.Values.Sum());
    }

    private static async Task<YamlMappingNode> ReadFrontMatterAsync(string card)
    {
        var text = await File.ReadAllTextAsync(card);
        Assert.StartsWith("---\n", text, StringComparison.Ordinal);
        var end = text.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        Assert.True(end > 0, "the front matter is closed");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text[4..end]));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static string[] Sequence(YamlMappingNode node, string key) =>
        [.. ((YamlSequenceNode)node[key]).Children.Select(c => ((YamlScalarNode)c).Value!)];
}
