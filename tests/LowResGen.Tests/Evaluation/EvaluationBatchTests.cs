using System.Text;
using LowResGen.Data;
using LowResGen.Evaluation;

namespace LowResGen.Tests.Evaluation;

public sealed class EvaluationBatchTests : IDisposable
{
    private readonly string _directory = EvaluationData.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void WriteCsv(string task, string language, string part, IReadOnlyList<Example> examples)
    {
        var text = new StringBuilder("id,text,label\n");
        foreach (var e in examples)
        {
            text.Append(e.Id).Append(",\"").Append(e.Text).Append("\",").Append(e.Label).Append('\n');
        }

        Directory.CreateDirectory(Path.Combine(_directory, "data", task));
        File.WriteAllText(Path.Combine(_directory, "data", task, $"{language}-{part}.csv"), text.ToString());
    }

    [Fact]
    public async Task Runs_every_task_and_language_into_its_own_folder_and_reports_per_task()
    {
        foreach (var task in new[] { "t1", "t2" })
        {
            foreach (var language in new[] { "en", "de" })
            {
                WriteCsv(task, language, "gold", EvaluationData.Make("train", 6));
                WriteCsv(task, language, "synthetic", EvaluationData.Make("gen", 6, noise: 0.5));
                WriteCsv(task, language, "test", EvaluationData.Make("test", 3, offset: 50));
            }
        }

        var template = Path.Combine(_directory, "data", "{task}", "{lang}-");
        var request = new EvaluationRequest
        {
            Train = [TrainingSource.Parse($"gold={template}gold.csv"), TrainingSource.Parse(template + "synthetic.csv")],
            Test = template + "test.csv",
            OutputDirectory = Path.Combine(_directory, "out"),
            Tasks = ["t1", "t2"],
            Languages = ["en", "de"],
            TaskFolders = true,
            LanguageFolders = true,
            Options = new EvaluationOptions { Seeds = 2, PerClass = 4, WritePlots = false },
        };

        var items = new List<EvaluationBatchItem>();
        await foreach (var item in new EvaluationBatch(new NearestCentroidTrainer()).RunAsync(request, null, CancellationToken.None))
        {
            items.Add(item);
        }

        Assert.Equal(["t1/en", "t1/de", "t2/en", "t2/de"], items.Select(i => $"{i.Task}/{i.Language}"));
        Assert.All(items, i => Assert.Equal(["gold", "synthetic"], i.Summary.Settings.Select(s => s.Name)));
        Assert.True(File.Exists(Path.Combine(_directory, "out", "t2", "de", "results.csv")));
        Assert.Contains("| setting | en | de | average |", File.ReadAllText(Path.Combine(_directory, "out", "t1", "report.md")));
    }

    [Theory]
    [InlineData("gold=data/{lang}-train.csv", "gold", "data/{lang}-train.csv")]
    [InlineData("data/{task}/{lang}-train_full.csv", "train_full", "data/{task}/{lang}-train_full.csv")]
    [InlineData("generated = x.tsv", "generated", "x.tsv")]
    public void Training_sources_are_named_explicitly_or_after_their_file(string spec, string name, string path) =>
        Assert.Equal(new TrainingSource(name, path), TrainingSource.Parse(spec));

    [Fact]
    public void A_placeholder_without_a_value_is_an_error()
    {
        Assert.Equal("d/t/cy.csv", EvaluationBatch.Expand("d/{task}/{lang}.csv", "t", "cy"));
        var error = Assert.Throws<ArgumentException>(() => EvaluationBatch.Expand("d/{lang}.csv", null, null));
        Assert.Contains("{lang}", error.Message);
    }
}
