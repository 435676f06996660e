using LowResGen.Experiments;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Experiments;

public class EmbeddedStudyTests
{
    [Fact]
    public async Task A_two_language_two_strategy_two_seed_study_runs_end_to_end_on_the_tiny_gguf()
    {
        using var root = new TinyModelStudyFolder("lowresgen-embedded-study-");
        var file = await root.WriteStudyAsync("tiny", """
            tasks = ["intent"]
            languages = ["cy", "sw"]
            strategies = ["target-demos", "english-demos+sl"]
            seeds = 2
            per_class = 2
            max_attempts = 3
            max_output_tokens = 32
            language_check = false
            allow_shortfall = true
            """);
        // A random model's few tokens are often rejected (U+FFFD, control characters, duplicates); with 3 attempts per
        // class every generation cell accepts something whatever the batch composition does to the sampled tokens.
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);

        var (exitCode, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "study", "run", file, "--plain");

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("Ran 10 cells, 0 already done, 0 failed, ", output);
        var report = await LowResGen.Reporting.StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        Assert.Equal(4, report.Cells.Count(c => c.Kind == CellKind.Evaluate));
        Assert.All(report.Cells.Where(c => c.Kind is CellKind.Evaluate or CellKind.Gold), c => Assert.Equal(2, c.Scores.Count));
        Assert.NotEmpty(report.Examples);
        Assert.All(report.Examples, e => Assert.Contains("template", e.Detail));
    }

    [Fact]
    public async Task A_study_scores_labels_by_log_probability_through_the_cache_and_counts_its_calls()
    {
        using var root = new TinyModelStudyFolder("lowresgen-logprob-study-");
        var file = await root.WriteStudyAsync("logprob", """
            tasks = ["sentiment"]
            languages = ["de"]
            seeds = 1
            per_class = 2
            llm_classification = ["zero-shot", "zero-shot+logprob"]
            llm_classification_limit = 6
            """);
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);

        StudyRunResult first;
        await using (var executor = StudyCellExecutor.Create(study))
        {
            first = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
        }

        Assert.True(first.Failures.Count == 0, string.Join("\n", first.Failures.Select(f => $"{f.Cell.Name}: {f.Error}")));
        var report = await LowResGen.Reporting.StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        var classify = report.Cells.Where(c => c.Kind == CellKind.Classify).ToDictionary(c => c.Setting);
        Assert.Equal(["llm-zero-shot", "llm-zero-shot+logprob"], classify.Keys.Order(StringComparer.Ordinal));
        var scored = classify["llm-zero-shot+logprob"];
        Assert.Equal(6, scored.LlmCalls); // one scoring call per test text, counted like an answer
        Assert.True(scored.LlmTokens > 0);
        // Log-probability scoring always names a label, so no answer of its cell is unmappable; and it ran on the 6 texts.
        var summary = FindSetting(await File.ReadAllTextAsync(Directory.GetFiles(scored.ArtifactPath!,
            LowResGen.LlmClassification.LlmEvaluationRunner.SummaryFileName, SearchOption.AllDirectories).Single()));
        Assert.Equal(0, Property(summary, "unmappable").GetInt32());
        Assert.Equal(6, Property(summary, "answers").GetInt32());
    }

    /// <summary>The one setting's summary in an llm-summary.json, whatever the casing of its property names.</summary>
    private static System.Text.Json.JsonElement FindSetting(string json)
    {
        var root = System.Text.Json.JsonDocument.Parse(json).RootElement;
        var settings = Property(root, "settings");
        return Assert.Single(settings.EnumerateArray());
    }

    private static System.Text.Json.JsonElement Property(System.Text.Json.JsonElement element, string name) =>
        element.EnumerateObject().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>A temporary folder holding the tiny GGUF and a study on the shared kinit-synthetic data; deleted on dispose.</summary>
    private sealed class TinyModelStudyFolder : IDisposable
    {
        private readonly string _path;
        private readonly string _model;

        public TinyModelStudyFolder(string prefix)
        {
            _path = Directory.CreateTempSubdirectory(prefix).FullName;
            _model = Path.Combine(_path, "tiny.gguf");
            TinyGgufWriter.Write(_model, new GgufModelSpec { ContextLength = 2048 });
        }

        /// <summary>Writes <c>study.toml</c>: the name and <paramref name="settings"/>, then the data paths and the tiny model.</summary>
        public async Task<string> WriteStudyAsync(string name, string settings)
        {
            var data = SharedData.Datasets.Replace("\\", "/");
            var file = Path.Combine(_path, "study.toml");
            await File.WriteAllTextAsync(file, $"""
                name = "{name}"
                {settings}

                [data]
                train = "{data}/kinit-synthetic/{"{task}"}/{"{lang}"}-train_human_parsed.csv"
                test = "{data}/kinit-synthetic/{"{task}"}/{"{lang}"}-test.csv"

                [[models]]
                name = "tiny"
                model = "{_model.Replace("\\", "/")}"
                """);
            return file;
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
