using System.Diagnostics;
using System.Globalization;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.TestSupport;

namespace LowResGen.Bench;

/// <summary>
/// Evaluation with thousands of labels (issue: 5,000 labels × 20,000 rows peaked at 8.8 GB and crashed in the plotter):
/// the whole protocol (train, predict, metrics, confusion files) on synthetic texts, first with 50 labels as the baseline,
/// then with the many; prints wall time, the process's peak working set, and how many weights the model holds against
/// the dense label × feature matrix it used to allocate. Usage: <c>many-labels [--labels 5000] [--rows-per-label 4] [--seeds 2]</c>.
/// </summary>
internal static class ManyLabelsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var labels = BenchSupport.IntArg(args, "--labels", 5000);
        var rowsPerLabel = BenchSupport.IntArg(args, "--rows-per-label", 4);
        var seeds = BenchSupport.IntArg(args, "--seeds", 2);
        Console.WriteLine($"many-labels bench, commit {BenchSupport.Commit()}, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, "
            + $"{rowsPerLabel} training rows and 1 test row per label, {seeds} seeds");
        Console.WriteLine("| labels | training rows | wall s | peak working set MB | weights held | dense label × feature weights | held / dense |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var count in new[] { 50, labels })
        {
            await MeasureAsync(count, rowsPerLabel, seeds);
        }

        return 0;
    }

    private static async Task MeasureAsync(int labelCount, int rowsPerLabel, int seeds)
    {
        var (train, test) = SyntheticLabels.Make(labelCount, rowsPerLabel);
        var directory = Directory.CreateTempSubdirectory("lowresgen-many-labels-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var runner = new EvaluationRunner(new LinearTextClassifierTrainer(), new EvaluationOptions { Seeds = seeds, PerClass = rowsPerLabel });
            await runner.RunAsync(null, [new EvaluationSetting("gold", train)], test, directory, null, CancellationToken.None);
            clock.Stop();
            var model = (LinearTextClassifier)await new LinearTextClassifierTrainer().TrainAsync(
                [.. train.Select(e => new LabeledText(e.Text, e.Label))], 0, CancellationToken.None);
            var dense = (long)(model.Dimension + 1) * labelCount;
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {labelCount} | {train.Count} | {clock.Elapsed.TotalSeconds:F1} | {process.PeakWorkingSet64 / 1e6:F0} | {model.StoredWeights:N0} | {dense:N0} | {(double)model.StoredWeights / dense:F4} |"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
