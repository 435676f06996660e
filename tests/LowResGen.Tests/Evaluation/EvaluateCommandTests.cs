using System.CommandLine;
using LowResGen.Cli.Commands;
using LowResGen.Evaluation;

namespace LowResGen.Tests.Evaluation;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _directory = EvaluationData.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        // The test double stands in for the default classifier, under the default name.
        var registry = ClassifierTrainerRegistry.BuiltIn().With(ClassifierTrainerRegistry.DefaultName, () => new NearestCentroidTrainer());
        var root = new RootCommand { EvaluateCommand.Create(registry), ReportCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Evaluates_kinit_gold_and_generated_for_two_languages_in_one_command()
    {
        var output = Path.Combine(_directory, "out");
        var (code, stdout, stderr) = await RunAsync("evaluate",
            "--train", "gold=" + SharedData.Kinit("intent", "{lang}", "train_human_parsed"),
            "--train", "generated=" + SharedData.Kinit("intent", "{lang}", "train_full"),
            "--test", SharedData.Kinit("intent", "{lang}", "test"),
            "--task", "intent", "--languages", "cy,de", "--seeds", "2", "--per-class", "8", "--normalize",
            "--output", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("Classifier: nearest-centroid", stdout);
        Assert.Contains("generated", stdout);
        Assert.Contains("ΔF1 vs gold", stdout);
        Assert.Contains("intent / cy: 1/4 gold seed", stdout);
        foreach (var language in new[] { "cy", "de" })
        {
            var lines = File.ReadAllLines(Path.Combine(output, language, "results.csv"));
            Assert.Equal(["setting,seed,f1,accuracy", "gold,0", "gold,1", "generated,0", "generated,1"],
                lines.Select((l, i) => i == 0 ? l : string.Join(',', l.Split(',').Take(2))));
            Assert.Equal(4, Directory.GetFiles(Path.Combine(output, language, "confusion"), "*.png").Length);
            var predictions = await PredictionsFile.ReadAsync(Path.Combine(output, language, "predictions.csv"), CancellationToken.None);
            Assert.Equal(4 * 565, predictions.Count);
        }

        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("| setting | de | cy | average |", markdown);
        Assert.True(EvaluationData.IsPng(Path.Combine(output, "gap-f1.png")));

        var (reportCode, reportOutput, _) = await RunAsync("report", output, "--output", Path.Combine(_directory, "report"));
        Assert.Equal(0, reportCode);
        Assert.Contains("| generated |", reportOutput);
        Assert.Equal(markdown, File.ReadAllText(Path.Combine(_directory, "report", "report.md")));
    }

    [Fact]
    public async Task The_table_shows_the_examples_used_per_class_not_the_file_size_and_marks_a_short_set()
    {
        // gold: 30 food, 30 music, 4 weather (64 in the file); at most 10 per class keeps 10 + 10 + 4 = 24.
        var gold = Path.Combine(_directory, "gold.csv");
        var small = Path.Combine(_directory, "small.csv");
        var test = Path.Combine(_directory, "test.csv");
        await LowResGen.Data.Import.ExampleFiles.WriteCsvAsync(gold,
            [.. EvaluationData.Make("train", 30).Where(e => e.Label != "weather"), .. EvaluationData.Make("train", 4).Where(e => e.Label == "weather")],
            null, CancellationToken.None);
        await LowResGen.Data.Import.ExampleFiles.WriteCsvAsync(small, EvaluationData.Make("train", 5), null, CancellationToken.None);
        await LowResGen.Data.Import.ExampleFiles.WriteCsvAsync(test, EvaluationData.Make("test", 6, offset: 100), null, CancellationToken.None);

        var (code, stdout, stderr) = await RunAsync("evaluate", "--train", "gold=" + gold, "--train", "small=" + small, "--test", test,
            "--seeds", "3", "--per-class", "10", "--output", Path.Combine(_directory, "out"));

        Assert.True(code == 0, stderr);
        var goldRow = stdout.Split('\n').Single(l => l.Contains("gold (ref)", StringComparison.Ordinal));
        Assert.Contains(" 24 ", goldRow);
        Assert.DoesNotContain(" 64 ", goldRow);
        Assert.Contains("4–10 of 10 !", goldRow);
        Assert.Contains("! gold: fewer than 10 per class in 1 classes (weather 4/10)", stdout);
        // small: 5 per class, all kept by every seed, and the nearest-centroid trainer is deterministic: no spread measured.
        var smallRow = stdout.Split('\n').Single(l => l.Contains("│ small", StringComparison.Ordinal));
        Assert.Contains("5 of 10 !", smallRow);
        Assert.Contains("n/a (one distinct draw)", smallRow);
        Assert.DoesNotContain("± 0.0", smallRow);
        Assert.Contains("small: every seed trained on the same 15 examples", stdout);
    }

    [Fact]
    public async Task A_missing_file_fails_with_its_path_and_writes_no_results()
    {
        var missing = Path.Combine(_directory, "absent-test.csv");
        var output = Path.Combine(_directory, "out");
        var (code, _, stderr) = await RunAsync("evaluate", "--train", SharedData.Kinit("intent", "en", "train_full"),
            "--test", missing, "--output", output);

        Assert.Equal(1, code);
        Assert.Contains(missing, stderr);
        Assert.Contains("not found", stderr);
        Assert.False(File.Exists(Path.Combine(output, "results.csv")));
    }

    [Fact]
    public async Task Unknown_classifier_language_and_report_input_are_clear_errors()
    {
        var train = SharedData.Kinit("intent", "en", "train_full");
        var test = SharedData.Kinit("intent", "en", "test");
        var classifier = await RunAsync("evaluate", "--train", train, "--test", test, "--output", _directory, "--classifier", "bert");
        var language = await RunAsync("evaluate", "--train", train, "--test", test, "--output", _directory, "--languages", "en,xx");
        var report = await RunAsync("report", Path.Combine(_directory, "missing"), "--output", _directory);

        Assert.Equal((1, true), (classifier.Code, classifier.Error.Contains("Unknown classifier 'bert'")));
        Assert.Equal((1, true), (language.Code, language.Error.Contains("Unknown language 'xx'")));
        Assert.Equal((1, true), (report.Code, report.Error.Contains("missing")));
    }
}
