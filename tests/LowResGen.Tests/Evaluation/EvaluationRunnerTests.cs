using System.Text.Json;
using LowResGen.Data;
using LowResGen.Evaluation;

namespace LowResGen.Tests.Evaluation;

public sealed class EvaluationRunnerTests : IDisposable
{
    private static readonly TaskDefinition Task = new("topics", EvaluationData.Labels);
    private readonly string _directory = EvaluationData.TempDirectory();

    private static IReadOnlyList<EvaluationSetting> Settings() =>
    [
        new("gold", EvaluationData.Make("train", 12)),
        new("generated", EvaluationData.Make("generated", 12, noise: 0.34)),
    ];

    private static IReadOnlyList<Example> Test => EvaluationData.Make("test", 6, offset: 100);

    private static EvaluationOptions Options(int parallel = 2, int seeds = 3) =>
        new() { Seeds = seeds, PerClass = 5, MaxParallelism = parallel, Normalization = TextNormalization.Reference };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Writes_results_predictions_plots_and_summary_in_the_reference_layout()
    {
        var output = Path.Combine(_directory, "run");
        var summary = await new EvaluationRunner(new NearestCentroidTrainer(), Options())
            .RunAsync(Task, Settings(), Test, output, null, CancellationToken.None);

        var lines = File.ReadAllLines(Path.Combine(output, "results.csv"));
        Assert.Equal("setting,seed,f1,accuracy", lines[0]);
        Assert.Equal(["gold,0", "gold,1", "gold,2", "generated,0", "generated,1", "generated,2"],
            lines.Skip(1).Select(l => string.Join(',', l.Split(',').Take(2))));
        Assert.All(lines.Skip(1).Take(3), l => Assert.EndsWith(",1,1", l));

        var plots = Directory.GetFiles(Path.Combine(output, "confusion"));
        Assert.Equal(6, plots.Select(Path.GetFileName).Distinct().Count());
        Assert.All(plots, p => Assert.True(EvaluationData.IsPng(p), p));

        var predictions = File.ReadAllLines(Path.Combine(output, "predictions.csv"));
        Assert.Equal("setting,seed,id,text,gold,predicted,confidence", predictions[0]);
        Assert.Equal(1 + 6 * Test.Count, predictions.Length);
        Assert.StartsWith("gold,0,test-food-100,\"Please, recipe bake today!\",food,food,", predictions[1]);

        Assert.Equal("gold", summary.Reference);
        Assert.Equal(1.0, summary["gold"].F1.Mean);
        Assert.Equal(3, summary["generated"].F1.Count);
        Assert.NotNull(summary["generated"].F1VersusReference);
        Assert.Equal(summary["generated"].F1.Mean - 1.0, summary["generated"].F1VersusReference!.MeanDifference, 12);
        Assert.Equal(EvaluationData.Labels, summary["gold"].PerClass.Select(c => c.Label));
        Assert.Equal(6, summary["gold"].PerClass[0].Support);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal("nearest-centroid", json.RootElement.GetProperty("trainer").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("settings").GetArrayLength());
    }

    [Fact]
    public async Task Results_do_not_depend_on_parallelism()
    {
        string[] outputs = [Path.Combine(_directory, "serial"), Path.Combine(_directory, "parallel")];
        await new EvaluationRunner(new NearestCentroidTrainer(), Options(parallel: 1) with { WritePlots = false })
            .RunAsync(Task, Settings(), Test, outputs[0], null, CancellationToken.None);
        await new EvaluationRunner(new NearestCentroidTrainer(), Options(parallel: 6) with { WritePlots = false })
            .RunAsync(Task, Settings(), Test, outputs[1], null, CancellationToken.None);

        foreach (var file in new[] { "results.csv", "predictions.csv", "summary.json" })
        {
            Assert.Equal(
                File.ReadAllText(Path.Combine(outputs[0], file)).Replace(outputs[0], "<dir>", StringComparison.Ordinal),
                File.ReadAllText(Path.Combine(outputs[1], file)).Replace(outputs[1], "<dir>", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_killed_run_keeps_finished_rows_and_a_rerun_only_trains_the_rest()
    {
        using var cancel = new CancellationTokenSource();
        var stopAfterTwo = new LowResGen.Tests.Data.SynchronousProgress<EvaluationProgress>(p =>
        {
            if (p.Completed == 2)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new EvaluationRunner(new NearestCentroidTrainer(), Options(parallel: 1))
            .RunAsync(Task, Settings(), Test, _directory, stopAfterTwo, cancel.Token));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_directory, "results.csv")).Length);

        var resumed = new NearestCentroidTrainer();
        var reported = new List<EvaluationProgress>();
        await new EvaluationRunner(resumed, Options(parallel: 1))
            .RunAsync(Task, Settings(), Test, _directory, new LowResGen.Tests.Data.SynchronousProgress<EvaluationProgress>(reported.Add), CancellationToken.None);

        Assert.Equal(4, resumed.Trainings);
        Assert.Equal(2, reported.Count(p => p.Resumed));
        var uninterrupted = Path.Combine(_directory, "fresh");
        await new EvaluationRunner(new NearestCentroidTrainer(), Options(parallel: 1))
            .RunAsync(Task, Settings(), Test, uninterrupted, null, CancellationToken.None);
        Assert.Equal(File.ReadAllText(Path.Combine(uninterrupted, "results.csv")), File.ReadAllText(Path.Combine(_directory, "results.csv")));
        Assert.Equal(6, Directory.GetFiles(Path.Combine(_directory, "confusion")).Length);

        var more = new NearestCentroidTrainer();
        var summary = await new EvaluationRunner(more, Options(parallel: 1, seeds: 4))
            .RunAsync(Task, Settings(), Test, _directory, null, CancellationToken.None);
        Assert.Equal(2, more.Trainings);
        Assert.Equal(4, summary["generated"].F1.Count);
    }

    [Fact]
    public async Task A_rerun_with_another_configuration_is_refused_instead_of_mixing_results()
    {
        await new EvaluationRunner(new NearestCentroidTrainer(), Options(seeds: 1) with { WritePlots = false })
            .RunAsync(Task, Settings(), Test, _directory, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new EvaluationRunner(new NearestCentroidTrainer(), Options(seeds: 1) with { PerClass = 7 })
                .RunAsync(Task, Settings(), Test, _directory, null, CancellationToken.None));
        Assert.Contains("other settings (the per class was", error.Message);
        Assert.Contains("now 7)", error.Message);
        Assert.DoesNotContain("RunManifest", error.Message);
    }

    [Fact]
    public void Confusion_plot_names_never_reuse_an_existing_file()
    {
        var outputs = new EvaluationOutputs(_directory);
        var first = outputs.NewConfusionPlot("gen/v2", 3);
        Directory.CreateDirectory(Path.GetDirectoryName(first)!);
        File.WriteAllText(first, "x");

        Assert.Equal("gen_v2-seed3.png", Path.GetFileName(first));
        Assert.Equal("gen_v2-seed3-2.png", Path.GetFileName(outputs.NewConfusionPlot("gen/v2", 3)));
    }

    [Fact]
    public async Task Bad_settings_are_rejected_with_a_clear_message()
    {
        var runner = new EvaluationRunner(new NearestCentroidTrainer(), Options() with { Reference = "human" });
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(Task, Settings(), Test, _directory, null, CancellationToken.None));
        Assert.Contains("'human'", missing.Message);

        var clash = await Assert.ThrowsAsync<ArgumentException>(() => new EvaluationRunner(new NearestCentroidTrainer(), Options())
            .RunAsync(Task, [new("a b", Test), new("a_b", Test)], Test, _directory, null, CancellationToken.None));
        Assert.Contains("share output file names", clash.Message);
    }
}
