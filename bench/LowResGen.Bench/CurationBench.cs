using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using LowResGen.Common;
using LowResGen.Curation;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Bench;

/// <summary>
/// The measurement that decides whether curation is worth it (issue 5): on kinit-synthetic intent, topic and sentiment,
/// every language with generated data and a gold test set, the default classifier trained on 100 per class of
/// (a) random generated, (b) curated generated, (c) gold examples; plus one row per filter alone (ablation).
/// Writes a Markdown report with date and commit.
/// </summary>
internal static class CurationBench
{
    private const string Random = "random";
    private const string Curated = "curated";
    private const string Gold = "gold";

    private sealed record Settings(
        IReadOnlyList<string> Tasks, IReadOnlyList<string> Languages, int Seeds, int FirstSeed, int PerClass, int Demonstrations,
        string Filters, SelectionStrategy Selection, double DiversityWeight, string Datasets, string? Output, bool Ablation, int AblationSeeds);

    private sealed record Score(string Task, string Language, string Variant, int Seed, double Accuracy, double MacroF1);

    /// <summary>One variant of the ablation: filters (possibly none) and a selection.</summary>
    private sealed record Variant(string Name, IReadOnlyList<CurationFilter> Filters, SelectionStrategy Selection, double? DiversityWeight = null);

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchSupport.TryParse(args, Parse, "curation [--tasks intent,topic,sentiment] [--languages en,de,...|all] [--seeds 10] [--first-seed 0] [--per-class 100] "
                + "[--demonstrations 10] [--filters LIST] [--selection QualityDiverse] [--diversity 0.5] [--no-ablation] [--ablation-seeds N] [--datasets DIR] [--output FILE]", out var settings))
        {
            return 2;
        }

        var trainer = new LinearTextClassifierTrainer();
        var identifier = new CachingLanguageIdentifier(new LinguaLanguageIdentifier());
        var variants = Variants(settings);
        var scores = new List<Score>();
        var clock = Stopwatch.StartNew();
        var skipped = new List<string>();
        foreach (var task in settings.Tasks)
        {
            foreach (var language in settings.Languages)
            {
                var generatedPath = Path.Combine(settings.Datasets, task, $"{language}-train_full.csv");
                var testPath = Path.Combine(settings.Datasets, task, $"{language}-test.csv");
                var goldPath = Path.Combine(settings.Datasets, task, $"{language}-train_human_parsed.csv");
                if (!File.Exists(generatedPath) || !File.Exists(testPath))
                {
                    skipped.Add($"{task}/{language}: no generated set or no gold test set");
                    continue;
                }

                var options = new ImportOptions { Language = language };
                var generated = (await ExampleFiles.ReadAsync(generatedPath, options with { Split = Splits.Generated }, default)).Examples;
                var test = (await ExampleFiles.ReadAsync(testPath, options with { Split = Splits.Test }, default)).Examples;
                var gold = File.Exists(goldPath) ? (await ExampleFiles.ReadAsync(goldPath, options, default)).Examples : null;
                if (gold is null)
                {
                    skipped.Add($"{task}/{language}: no gold training set, so no gold row, no gold seed and no gap");
                }

                // The out-of-fold consistency and everything but the gold seed do not depend on the seed: measured once.
                var baseReport = await QualityAnalyzer.AnalyzeAsync(generated, new QualityOptions
                {
                    TargetLanguage = language,
                    LanguageIdentifier = identifier,
                    Trainer = trainer,
                    Seed = 0,
                });

                for (var seed = settings.FirstSeed; seed < settings.FirstSeed + settings.Seeds; seed++)
                {
                    var demonstrations = gold is null ? null : TrainingSetSampler.Balance(gold, settings.Demonstrations, seed);
                    var report = demonstrations is null ? baseReport : await WithSeedAgreementAsync(baseReport, generated, demonstrations, trainer, seed,
                        variants.Any(v => v.Selection == SelectionStrategy.Realistic && (v.Name == Curated || seed < settings.FirstSeed + settings.AblationSeeds)));

                    async Task Evaluate(string variant, IReadOnlyList<Example> training)
                    {
                        var (accuracy, f1) = await TrainAndTestAsync(trainer, training, test, seed);
                        scores.Add(new Score(task, language, variant, seed, accuracy, f1));
                    }

                    // The random baseline draws through the curator too: with the same seed every example gets the same
                    // random key, so a filter alone changes the sample only where it dropped something (paired comparison).
                    await Evaluate(Random, Curator.Curate(generated, report, new CurationOptions
                    {
                        PerClass = settings.PerClass,
                        Selection = SelectionStrategy.Random,
                        Seed = seed,
                    }).Kept);
                    foreach (var variant in variants.Where(v => v.Name == Curated || seed < settings.FirstSeed + settings.AblationSeeds))
                    {
                        var kept = Curator.Curate(generated, report, new CurationOptions
                        {
                            PerClass = settings.PerClass,
                            Filters = variant.Filters,
                            Selection = variant.Selection,
                            DiversityWeight = variant.DiversityWeight ?? settings.DiversityWeight,
                            Seed = seed,
                        }).Kept;
                        await Evaluate(variant.Name, kept);
                    }

                    if (gold is not null)
                    {
                        await Evaluate(Gold, TrainingSetSampler.Balance(gold, settings.PerClass, seed));
                    }
                }

                var mine = scores.Where(s => s.Task == task && s.Language == language).ToArray();
                Console.WriteLine(Invariant($"{task}/{language} ({clock.Elapsed.TotalSeconds:F0}s): ")
                    + string.Join("  ", mine.GroupBy(s => s.Variant).Select(g => Invariant($"{g.Key} {g.Average(s => s.Accuracy):F3}"))));
            }

            if (settings.Output is not null)
            {
                await AtomicFile.WriteAllTextAsync(settings.Output, Markdown(settings, variants, scores, skipped, clock.Elapsed), default);
            }
        }

        var markdown = Markdown(settings, variants, scores, skipped, clock.Elapsed);
        Console.WriteLine();
        Console.WriteLine(markdown);
        return 0;
    }

    private static List<Variant> Variants(Settings settings)
    {
        var list = new List<Variant> { new(Curated, CurationFilter.ParseList(settings.Filters), settings.Selection) };
        if (settings.Ablation)
        {
            foreach (var name in new[]
                     {
                         CurationFilter.LanguageName, CurationFilter.ExactDuplicatesName, CurationFilter.NearDuplicatesName,
                         CurationFilter.CrossLabelName, CurationFilter.ConsistencyName, CurationFilter.SeedAgreementName, CurationFilter.LengthName,
                     })
            {
                list.Add(new Variant(name, [new CurationFilter(name)], SelectionStrategy.Random));
            }

            list.Add(new Variant("select:quality", [], SelectionStrategy.Quality));
            list.Add(new Variant("select:quality+diverse", [], SelectionStrategy.QualityDiverse, 0.5));
            list.Add(new Variant("select:seed", [], SelectionStrategy.SeedAgreement, 0));
            list.Add(new Variant("select:hard", [], SelectionStrategy.Hard, 0));
            list.Add(new Variant("select:diverse-only", [], SelectionStrategy.Diverse));
        }

        return list;
    }

    /// <summary>Adds the gold-seed classifier's predictions (k demonstrations per label, drawn with the seed) to a report.</summary>
    private static async Task<QualityReport> WithSeedAgreementAsync(
        QualityReport report, IReadOnlyList<Example> generated, IReadOnlyList<Example> demonstrations, IClassifierTrainer trainer, int seed, bool usesRealism)
    {
        var predictions = await LabelConsistency.PredictAsync(
            [.. demonstrations.Select(d => new LabeledText(d.Text, d.Label))], [.. generated.Select(e => e.Text)], trainer, seed, default);
        var realism = !usesRealism ? new double[generated.Count] : await Realism.ScoreAsync([.. generated.Select(e => e.Text)], [.. demonstrations.Select(d => d.Text)], trainer, 5, seed, default);
        return report with
        {
            Examples = [.. report.Examples.Select((d, i) => d with
            {
                Realism = realism[i],
                SeedLabel = predictions[i].Label,
                SeedConfidence = predictions[i].Confidence,
                SeedOwnLabelScore = LabelConsistency.ScoreOf(predictions[i], d.Label),
            })],
        };
    }

    internal static async Task<(double Accuracy, double MacroF1)> TrainAndTestAsync(
        IClassifierTrainer trainer, IReadOnlyList<Example> training, IReadOnlyList<Example> test, int seed)
    {
        var normalize = TextNormalization.Reference;
        var model = await trainer.TrainAsync([.. training.Select(e => new LabeledText(normalize.Apply(e.Text), e.Label))], seed, default);
        var labels = test.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var metrics = LowResGen.Evaluation.Metrics.ClassificationMetrics.Compute(labels,
            test.Select(e => (e.Label, model.Predict(normalize.Apply(e.Text)).Label)));
        return (metrics.Accuracy, metrics.MacroF1);
    }

    private static string Markdown(Settings settings, IReadOnlyList<Variant> variants, IReadOnlyList<Score> scores, IReadOnlyList<string> skipped, TimeSpan elapsed)
    {
        var md = new StringBuilder();
        md.AppendLine("# Curation results");
        md.AppendLine();
        md.AppendLine(Invariant($"Produced by `dotnet run -c Release --project bench/LowResGen.Bench -- curation {string.Join(' ', Arguments(settings))}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {BenchSupport.Commit()}, in {elapsed.TotalMinutes:F1} min."));
        md.AppendLine();
        md.AppendLine(Invariant($"Classifier: {new LinearTextClassifierTrainer().Name} (reference normalization), {settings.Seeds} seeds, {settings.PerClass} examples per class, tested on the gold test set. ")
            + Invariant($"Curated = filters `{settings.Filters}` then selection {settings.Selection} (diversity weight {settings.DiversityWeight}); the gold seed of the seed-agreement filter and of the quality score is {settings.Demonstrations} gold training examples per label drawn with the seed (the demonstrations a generator would have used)."));
        md.AppendLine();
        md.AppendLine("Gap closed = (curated − random) / (gold − random), on accuracy; the target is ≥ 25 % on average per task and no language worse than random by more than 1 point.");

        foreach (var task in settings.Tasks.Where(t => scores.Any(s => s.Task == t)))
        {
            var languages = scores.Where(s => s.Task == task).Select(s => s.Language).Distinct().ToArray();
            double Mean(string language, string variant, Func<Score, double> metric) =>
                scores.Where(s => s.Task == task && s.Language == language && s.Variant == variant).Select(metric).DefaultIfEmpty(double.NaN).Average();

            // Ablation rows cover only the first seeds: compare them with random on the same seeds.
            double AblationDelta(string language, string variant)
            {
                var last = settings.FirstSeed + settings.AblationSeeds;
                double On(string v) => scores.Where(s => s.Task == task && s.Language == language && s.Variant == v && s.Seed < last)
                    .Select(s => s.Accuracy).DefaultIfEmpty(double.NaN).Average();
                return On(variant) - On(Random);
            }

            md.AppendLine();
            md.AppendLine(Invariant($"## {task}"));
            md.AppendLine();
            md.AppendLine("| language | random acc. | curated acc. | gold acc. | random F1 | curated F1 | gold F1 | Δ acc. (points) | gap closed |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            var closed = new List<double>();
            var worst = double.PositiveInfinity;
            foreach (var language in languages)
            {
                var (ra, ca, ga) = (Mean(language, Random, s => s.Accuracy), Mean(language, Curated, s => s.Accuracy), Mean(language, Gold, s => s.Accuracy));
                var (rf, cf, gf) = (Mean(language, Random, s => s.MacroF1), Mean(language, Curated, s => s.MacroF1), Mean(language, Gold, s => s.MacroF1));
                var gap = double.IsNaN(ga) || ga - ra <= 0.005 ? double.NaN : (ca - ra) / (ga - ra);
                if (!double.IsNaN(gap))
                {
                    closed.Add(gap);
                }

                worst = Math.Min(worst, (ca - ra) * 100);
                md.AppendLine(Invariant($"| {language} | {ra:F3} | {ca:F3} | {F(ga)} | {rf:F3} | {cf:F3} | {F(gf)} | {Points(ca - ra)} | {(double.IsNaN(gap) ? "-" : gap.ToString("P0", CultureInfo.InvariantCulture))} |"));
            }

            var allRandom = languages.Average(l => Mean(l, Random, s => s.Accuracy));
            var allCurated = languages.Average(l => Mean(l, Curated, s => s.Accuracy));
            var meanGap = closed.Count == 0 ? double.NaN : closed.Average();
            md.AppendLine(Invariant($"| **mean** | {allRandom:F3} | {allCurated:F3} | | | | | {Points(allCurated - allRandom)} | {(double.IsNaN(meanGap) ? "-" : meanGap.ToString("P0", CultureInfo.InvariantCulture))} |"));
            md.AppendLine();
            var pass = !double.IsNaN(meanGap) && meanGap >= 0.25 && worst >= -1;
            md.AppendLine(Invariant($"Target: mean gap closed {(double.IsNaN(meanGap) ? "-" : meanGap.ToString("P0", CultureInfo.InvariantCulture))} (≥ 25 %), worst language {Points(worst / 100)} points (≥ −1): **{(pass ? "reached" : "not reached")}**."));

            if (settings.Ablation)
            {
                md.AppendLine();
                md.AppendLine(Invariant($"Ablation ({task}): accuracy change against random generated, in points, over the first {Math.Min(settings.AblationSeeds, settings.Seeds)} seeds (each filter alone, then random selection; `select:*` = no filter, one selection strategy)."));
                md.AppendLine();
                var names = variants.Select(v => v.Name).ToArray();
                md.AppendLine("| language | " + string.Join(" | ", names) + " |");
                md.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
                foreach (var language in languages.Append("mean"))
                {
                    var cells = names.Select(name =>
                    {
                        var delta = language == "mean"
                            ? languages.Average(l => AblationDelta(l, name))
                            : AblationDelta(language, name);
                        return Points(delta);
                    });
                    md.AppendLine($"| {language} | " + string.Join(" | ", cells) + " |");
                }
            }
        }

        if (skipped.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Not measured: " + string.Join("; ", skipped) + ".");
        }

        return md.ToString();
    }

    private static string Points(double delta) => Math.Round(delta * 100, 1) is var p && p == 0 ? "0.0" : p.ToString("+0.0;-0.0", CultureInfo.InvariantCulture);

    private static string F(double value) => double.IsNaN(value) ? "-" : value.ToString("F3", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Arguments(Settings s)
    {
        yield return "--tasks " + string.Join(',', s.Tasks);
        yield return "--languages " + string.Join(',', s.Languages);
        yield return Invariant($"--seeds {s.Seeds} --first-seed {s.FirstSeed} --per-class {s.PerClass} --demonstrations {s.Demonstrations}");
        yield return $"--filters {s.Filters} --selection {s.Selection} --diversity {s.DiversityWeight.ToString(CultureInfo.InvariantCulture)}";
        if (!s.Ablation)
        {
            yield return "--no-ablation";
        }
        else if (s.AblationSeeds < s.Seeds)
        {
            yield return Invariant($"--ablation-seeds {s.AblationSeeds}");
        }
    }

    private static Settings Parse(string[] args)
    {
        var tasks = new[] { "intent", "topic", "sentiment" };
        var languages = LanguageRegistry.ReferenceLanguages.ToArray();
        var (seeds, firstSeed, perClass, demonstrations, ablation) = (10, 0, 100, 10, true);
        var filters = string.Join(',', CurationOptions.DefaultFilters);
        var selection = new CurationOptions().Selection;
        var diversity = new CurationOptions().DiversityWeight;
        string? datasets = null;
        string? output = null;
        var ablationSeeds = int.MaxValue;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--tasks": tasks = Next().Split(','); break;
                case "--languages": var l = Next(); languages = l == "all" ? languages : l.Split(','); break;
                case "--seeds": seeds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--first-seed": firstSeed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--per-class": perClass = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--demonstrations": demonstrations = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--filters": filters = Next(); CurationFilter.ParseList(filters); break;
                case "--selection": selection = Enum.Parse<SelectionStrategy>(Next(), ignoreCase: true); break;
                case "--diversity": diversity = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--no-ablation": ablation = false; break;
                case "--ablation-seeds": ablationSeeds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--datasets": datasets = Next(); break;
                case "--output": output = Next(); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return new Settings(tasks, languages, seeds, firstSeed, perClass, demonstrations, filters, selection, diversity,
            datasets ?? Path.Combine(BenchSupport.SharedDatasets(), "kinit-synthetic"), output, ablation, ablationSeeds);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The bench measures the same generated sets for every seed: remember each text's language once.</summary>
    private sealed class CachingLanguageIdentifier(ILanguageIdentifier inner) : ILanguageIdentifier
    {
        private readonly ConcurrentDictionary<string, LanguageGuess> _cache = new(StringComparer.Ordinal);

        public bool Supports(string iso1) => inner.Supports(iso1);

        public LanguageGuess Identify(string text) => _cache.GetOrAdd(text, inner.Identify);
    }
}
