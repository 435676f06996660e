using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Bench;

/// <summary>
/// Compares the embedded linear classifier with fastText (Debian package) on identical training sets and seeds:
/// SIB-200 (full training set) and kinit-synthetic intent/topic (100 per class, gold and generated), reference
/// normalization. Prints per task both mean accuracies, the difference and the time ratio, then PASS/FAIL per target.
/// </summary>
internal static class FastTextBenchmark
{
    private const string FastTextArguments = "-epoch 50 -lr 0.5 -wordNgrams 2 -minn 2 -maxn 5 -dim 50";
    private const int PerClass = 100;
    private const double MaxTimeRatio = 2.0;

    private static readonly string[] AllTasks = ["sib200", "intent-gold", "intent-generated", "topic-gold", "topic-generated"];

    private sealed record Settings(
        int Seeds, IReadOnlyList<Language> Languages, IReadOnlyList<string> Tasks, string Datasets, string? Markdown,
        bool OursOnly, bool Verbose, LinearTextClassifierOptions Options);

    private sealed record Run(string Task, string Language, int Seed, double Accuracy, double Seconds);

    private sealed record Split(IReadOnlyList<LabeledText> Train, IReadOnlyList<LabeledText> Test);

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchSupport.TryParse(args, Parse, "fasttext [--seeds N] [--languages en,de,...] [--tasks sib200,intent-gold,...] "
                + "[--datasets DIR] [--markdown FILE] [--ours-only] [--verbose] [--option Name=Value ...]", out var settings))
        {
            return 2;
        }

        if (!settings.OursOnly && !await EnsureFastTextAsync())
        {
            return 3;
        }

        var output = new StringBuilder();
        void Print(string line)
        {
            Console.WriteLine(line);
            output.AppendLine(line);
        }

        Print($"fastText: `fasttext supervised {FastTextArguments} -seed <seed>` (process wall time of train + predict)");
        Print($"ours: {new LinearTextClassifierTrainer(settings.Options).Name} (in-process train + predict)");
        Print($"seeds: {settings.Seeds}, languages: {string.Join(' ', settings.Languages.Select(l => l.Code))}, normalization: reference");
        Print("");

        var workDirectory = Directory.CreateTempSubdirectory("lowresgen-fasttext-");
        var ours = new List<Run>();
        var theirs = new List<Run>();
        try
        {
            foreach (var task in settings.Tasks)
            {
                foreach (var language in settings.Languages)
                {
                    var data = await LoadAsync(task, language, settings.Datasets);
                    for (var seed = 0; seed < settings.Seeds; seed++)
                    {
                        var split = task == "sib200" ? data : data with { Train = BalanceTexts(data.Train, seed) };
                        var our = await RunOursAsync(split, settings.Options, seed);
                        ours.Add(new Run(task, language.Code, seed, our.Accuracy, our.Seconds));
                        var line = $"{task,-17} {language.Code} seed {seed}: ours {our.Accuracy:F3} ({our.Seconds:F2}s)";
                        if (!settings.OursOnly)
                        {
                            var their = await RunFastTextAsync(split, seed, workDirectory.FullName);
                            theirs.Add(new Run(task, language.Code, seed, their.Accuracy, their.Seconds));
                            line += $"  fastText {their.Accuracy:F3} ({their.Seconds:F2}s)";
                        }

                        if (settings.Verbose)
                        {
                            Console.WriteLine(line);
                        }
                    }
                }
            }
        }
        finally
        {
            workDirectory.Delete(recursive: true);
        }

        var passed = Summarize(settings, ours, theirs, Print);
        if (settings.Markdown is { } markdown)
        {
            await WriteMarkdownAsync(markdown, args, output.ToString());
        }

        return passed ? 0 : 1;
    }

    private static bool Summarize(Settings settings, List<Run> ours, List<Run> theirs, Action<string> print)
    {
        print("| task | ours | fastText | difference | ours time (s) | fastText time (s) | time ratio |");
        print("|---|---|---|---|---|---|---|");
        var verdicts = new List<string>();
        var passed = true;
        foreach (var task in settings.Tasks)
        {
            var our = ours.Where(r => r.Task == task).ToList();
            var their = theirs.Where(r => r.Task == task).ToList();
            var ourAccuracy = our.Average(r => r.Accuracy);
            var ourTime = our.Sum(r => r.Seconds);
            if (their.Count == 0)
            {
                print(Invariant($"| {task} | {ourAccuracy:F3} | - | - | {ourTime:F1} | - | - |"));
                continue;
            }

            var theirAccuracy = their.Average(r => r.Accuracy);
            var theirTime = their.Sum(r => r.Seconds);
            print(Invariant($"| {task} | {ourAccuracy:F3} | {theirAccuracy:F3} | {ourAccuracy - theirAccuracy:+0.000;-0.000} | {ourTime:F1} | {theirTime:F1} | {ourTime / theirTime:F2} |"));
            var accuracyPass = ourAccuracy >= theirAccuracy;
            passed &= accuracyPass;
            verdicts.Add(Invariant($"{(accuracyPass ? "PASS" : "FAIL")} accuracy {task}: {ourAccuracy:F3} >= {theirAccuracy:F3}"));
        }

        if (settings.Verbose)
        {
            PrintPerLanguage(settings, ours, theirs, print);
        }

        if (theirs.Count > 0)
        {
            var ratio = ours.Sum(r => r.Seconds) / theirs.Sum(r => r.Seconds);
            var timePass = ratio <= MaxTimeRatio;
            passed &= timePass;
            verdicts.Add(Invariant($"{(timePass ? "PASS" : "FAIL")} time: ours / fastText = {ratio:F3} <= {MaxTimeRatio}"));
        }

        print("");
        foreach (var verdict in verdicts)
        {
            print(verdict);
        }

        return passed;
    }

    private static void PrintPerLanguage(Settings settings, List<Run> ours, List<Run> theirs, Action<string> print)
    {
        print("");
        print("Mean accuracy per language (ours / fastText):");
        print("");
        print("| task | " + string.Join(" | ", settings.Languages.Select(l => l.Code)) + " |");
        print("|---|" + string.Concat(settings.Languages.Select(_ => "---|")));
        foreach (var task in settings.Tasks)
        {
            var cells = settings.Languages.Select(l =>
            {
                var our = ours.Where(r => r.Task == task && r.Language == l.Code).Average(r => r.Accuracy);
                var their = theirs.Where(r => r.Task == task && r.Language == l.Code).Select(r => r.Accuracy).DefaultIfEmpty(double.NaN).Average();
                return Invariant($"{our:F3} / {their:F3}");
            });
            print($"| {task} | {string.Join(" | ", cells)} |");
        }
    }

    private static async Task<(double Accuracy, double Seconds)> RunOursAsync(Split split, LinearTextClassifierOptions options, int seed)
    {
        var watch = Stopwatch.StartNew();
        var model = await new LinearTextClassifierTrainer(options).TrainAsync(split.Train, seed, CancellationToken.None);
        var correct = split.Test.Count(e => model.Predict(e.Text).Label == e.Label);
        watch.Stop();
        return ((double)correct / split.Test.Count, watch.Elapsed.TotalSeconds);
    }

    private static async Task<(double Accuracy, double Seconds)> RunFastTextAsync(Split split, int seed, string directory)
    {
        // fastText labels cannot hold spaces; map them to a safe token and back.
        var labels = split.Train.Select(e => e.Label).Concat(split.Test.Select(e => e.Label)).Distinct().ToList();
        var token = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => $"__label__{p.i}");
        var trainFile = Path.Combine(directory, "train.txt");
        var testFile = Path.Combine(directory, "test.txt");
        var model = Path.Combine(directory, "model");
        await File.WriteAllLinesAsync(trainFile, split.Train.Select(e => $"{token[e.Label]} {OneLine(e.Text)}"));
        await File.WriteAllLinesAsync(testFile, split.Test.Select(e => OneLine(e.Text)));

        var watch = Stopwatch.StartNew();
        await RunProcessAsync("fasttext",
            ["supervised", "-input", trainFile, "-output", model, .. FastTextArguments.Split(' '), "-seed", seed.ToString(CultureInfo.InvariantCulture), "-verbose", "0"]);
        var predicted = await RunProcessAsync("fasttext", ["predict", model + ".bin", testFile]);
        watch.Stop();

        var lines = predicted.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != split.Test.Count)
        {
            throw new InvalidOperationException($"fastText predicted {lines.Length} labels for {split.Test.Count} texts.");
        }

        var correct = split.Test.Where((e, i) => lines[i].Trim() == token[e.Label]).Count();
        File.Delete(model + ".bin");
        File.Delete(model + ".vec");
        return ((double)correct / split.Test.Count, watch.Elapsed.TotalSeconds);
    }

    // fastText reads one example per line; multi-line texts would split into several.
    private static string OneLine(string text) => string.Join(' ', text.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static IReadOnlyList<LabeledText> BalanceTexts(IReadOnlyList<LabeledText> train, int seed)
    {
        var asExamples = train.Select((e, i) => new Example(i.ToString(CultureInfo.InvariantCulture), e.Text, e.Label, "", Splits.Train, "")).ToList();
        return [.. TrainingSetSampler.Balance(asExamples, PerClass, seed).Select(e => new LabeledText(e.Text, e.Label))];
    }

    private static async Task<Split> LoadAsync(string task, Language language, string datasets)
    {
        var (train, test) = task switch
        {
            "sib200" => (Path.Combine(datasets, "sib200", language.FloresCode, "train.tsv"),
                Path.Combine(datasets, "sib200", language.FloresCode, "test.tsv")),
            _ => KinitFiles(task, language.Code, datasets),
        };
        return new Split(await ReadAsync(train, language), await ReadAsync(test, language));
    }

    private static (string Train, string Test) KinitFiles(string task, string language, string datasets)
    {
        var parts = task.Split('-');
        var directory = Path.Combine(datasets, "kinit-synthetic", parts[0]);
        var part = parts[1] == "gold" ? "train_human_parsed" : "train_full";
        return (Path.Combine(directory, $"{language}-{part}.csv"), Path.Combine(directory, $"{language}-test.csv"));
    }

    private static async Task<IReadOnlyList<LabeledText>> ReadAsync(string path, Language language)
    {
        var result = await ExampleFiles.ReadAsync(path, new ImportOptions { Language = language.Code }, CancellationToken.None);
        return [.. result.Examples.Select(e => new LabeledText(TextNormalization.Reference.Apply(e.Text), e.Label))];
    }

    private static async Task<bool> EnsureFastTextAsync()
    {
        if (await CanRunAsync("fasttext"))
        {
            return true;
        }

        Console.WriteLine("fasttext not found; installing the Debian package (apt-get install -y fasttext)...");
        var root = (await TryRunAsync("id", ["-u"])).Output.Trim() == "0";
        var install = root
            ? await TryRunAsync("apt-get", ["install", "-y", "fasttext"])
            : await TryRunAsync("sudo", ["-n", "apt-get", "install", "-y", "fasttext"]);
        if (install.ExitCode == 0 && await CanRunAsync("fasttext"))
        {
            return true;
        }

        Console.Error.WriteLine("Could not install fastText. Install it yourself (`sudo apt-get install -y fasttext` on Debian/Ubuntu) "
            + "or run with --ours-only. apt-get said: " + install.Output.Trim());
        return false;
    }

    private static async Task<bool> CanRunAsync(string program) =>
        (await TryRunAsync("sh", ["-c", $"command -v {program}"])).ExitCode == 0;

    private static async Task<(int ExitCode, string Output)> TryRunAsync(string program, IReadOnlyList<string> arguments)
    {
        try
        {
            using var process = Start(program, arguments);
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static async Task<string> RunProcessAsync(string program, IReadOnlyList<string> arguments)
    {
        using var process = Start(program, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }

    private static Process Start(string program, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    private static async Task WriteMarkdownAsync(string path, string[] args, string body)
    {
        var commit = BenchSupport.Commit();
        var text = new StringBuilder()
            .AppendLine("# Benchmark: embedded linear classifier vs fastText")
            .AppendLine()
            .AppendLine(Invariant($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {commit}: `dotnet run -c Release --project bench/LowResGen.Bench -- fasttext {string.Join(' ', args)}`"))
            .AppendLine()
            .AppendLine("```text")
            .Append(body)
            .AppendLine("```")
            .ToString();
        await AtomicFile.WriteAllTextAsync(path, text, CancellationToken.None);
    }

    private static Settings Parse(string[] args)
    {
        var seeds = 3;
        var languages = LanguageRegistry.ReferenceLanguages.Select(LanguageRegistry.Default.Resolve).ToList();
        IReadOnlyList<string> tasks = AllTasks;
        string? datasets = null;
        string? markdown = null;
        var oursOnly = false;
        var verbose = false;
        var options = LinearTextClassifierOptions.Default;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seeds":
                    seeds = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--languages":
                    languages = [.. Value().Split(',', ' ').Where(s => s.Length > 0).Select(LanguageRegistry.Default.Resolve)];
                    break;
                case "--tasks":
                    tasks = [.. Value().Split(',').Where(s => s.Length > 0)];
                    if (tasks.FirstOrDefault(t => !AllTasks.Contains(t)) is { } unknown)
                    {
                        throw new ArgumentException($"unknown task '{unknown}' (known: {string.Join(", ", AllTasks)})");
                    }

                    break;
                case "--datasets":
                    datasets = Value();
                    break;
                case "--markdown":
                    markdown = Value();
                    break;
                case "--ours-only":
                    oursOnly = true;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--option":
                    options = WithOption(options, Value());
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return new Settings(seeds, languages, tasks, datasets ?? BenchSupport.SharedDatasets(), markdown, oursOnly, verbose, options);
    }

    // Tuning aid: --option C=0.5 sets one init-only property of the options record by name.
    private static LinearTextClassifierOptions WithOption(LinearTextClassifierOptions options, string assignment)
    {
        var parts = assignment.Split('=', 2);
        var property = typeof(LinearTextClassifierOptions).GetProperty(parts[0], BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"unknown option '{parts[0]}'");
        if (parts.Length != 2)
        {
            throw new ArgumentException($"--option {assignment}: expected Name=Value");
        }

        var value = property.PropertyType.IsEnum
            ? Enum.Parse(property.PropertyType, parts[1], ignoreCase: true)
            : Convert.ChangeType(parts[1], property.PropertyType, CultureInfo.InvariantCulture);
        var copy = options with { };
        property.SetValue(copy, value);
        return copy;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
