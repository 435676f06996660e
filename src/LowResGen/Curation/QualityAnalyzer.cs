using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Curation;

/// <summary>
/// Measures the quality of a generated set without any LLM: language, redundancy, diversity, label consistency and
/// leakage, per example, per class and overall. Deterministic for <see cref="QualityOptions.Seed"/>.
/// </summary>
public static class QualityAnalyzer
{
    public const string AllClasses = "(all)";

    public static async Task<QualityReport> AnalyzeAsync(
        IReadOnlyList<Example> examples, QualityOptions options, string source = "", string? task = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        var n = examples.Count;
        var words = examples.Select(e => TextShingles.Words(e.Text)).ToArray();
        var finder = new NearDuplicateFinder(options.ShingleSize, seed: options.Seed ^ 0x5EED);
        var shingles = new HashSet<ulong>[n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i => shingles[i] = finder.Shingles(examples[i].Text));

        var language = Language(examples, options, notes, cancellationToken);
        var (exactOf, nearOf, nearSimilarity, otherLabelOf) = Redundancy(examples, shingles, finder, options, cancellationToken);
        var (oof, seedPredictions) = await ConsistencyAsync(examples, options, notes, cancellationToken).ConfigureAwait(false);
        var realism = options.Trainer is not null && options.Demonstrations is { Count: > 0 } demos
            ? await Realism.ScoreAsync([.. examples.Select(e => e.Text)], [.. demos.Select(d => d.Text)], options.Trainer, options.Folds, options.Seed, cancellationToken).ConfigureAwait(false)
            : null;
        var copying = Overlaps(examples, options.Demonstrations, options.LeakageNgram, "demonstrations: copying not measured", notes);
        var contamination = Overlaps(examples, options.GoldTest, options.LeakageNgram, "gold test set: contamination and coverage not measured", notes);

        var diagnostics = new ExampleDiagnostics[n];
        for (var i = 0; i < n; i++)
        {
            var e = examples[i];
            diagnostics[i] = new ExampleDiagnostics(
                i, e.Id, e.Text, e.Label, words[i].Length,
                language?[i].Detected, language?[i].TargetConfidence,
                exactOf[i], nearOf[i], nearSimilarity[i], otherLabelOf[i],
                oof?[i]?.Label, oof?[i]?.Confidence, oof?[i] is { } p ? LabelConsistency.ScoreOf(p, e.Label) : null,
                seedPredictions?[i].Label, seedPredictions?[i].Confidence,
                seedPredictions is null ? null : LabelConsistency.ScoreOf(seedPredictions[i], e.Label),
                copying?[i], contamination?[i])
            {
                InTargetLanguage = language?[i].InTarget,
                Realism = realism?[i],
                Characters = LengthRange.Length(e.Text),
            };
        }

        var groups = Enumerable.Range(0, n).GroupBy(i => examples[i].Label, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Summarize(g.Key, g.ToArray(), diagnostics, words, shingles, options, ClassGold(options.GoldTest, g.Key)))
            .ToArray();
        var overall = Summarize(AllClasses, [.. Enumerable.Range(0, n)], diagnostics, words, shingles, options, options.GoldTest);

        var settings = new QualitySettings(options.ShingleSize, options.NearDuplicateThreshold, options.Trainer?.Name, options.Folds,
            options.MislabelConfidence, options.LeakageNgram, options.CopyingThreshold, options.ContaminationThreshold,
            options.LanguageConfidence, options.Seed)
        {
            MinCharacters = LengthRange.DefaultFor(BuiltInTasks.Find(task ?? "")?.LabelKind ?? "").MinCharacters,
        };
        var targetLanguage = options.TargetLanguage is null ? null
            : LanguageRegistry.Default.TryResolve(options.TargetLanguage, out var l) ? l.Code : options.TargetLanguage;
        return new QualityReport(source, task, targetLanguage, settings, overall, groups, diagnostics, notes);
    }

    /// <summary>Whether the example was flagged as mislabeled by either classifier.</summary>
    public static bool IsFlaggedMislabeled(ExampleDiagnostics d, double confidence) =>
        OutOfFoldDisagrees(d, confidence) || SeedDisagrees(d, confidence);

    /// <summary>The out-of-fold classifier gives another label with at least <paramref name="confidence"/>.</summary>
    public static bool OutOfFoldDisagrees(ExampleDiagnostics d, double confidence) =>
        d.OutOfFoldLabel is { } label && label != d.Label && d.OutOfFoldConfidence >= confidence;

    /// <summary>The gold-seed classifier gives another label with at least <paramref name="confidence"/>.</summary>
    public static bool SeedDisagrees(ExampleDiagnostics d, double confidence) =>
        d.SeedLabel is { } label && label != d.Label && d.SeedConfidence >= confidence;

    private sealed record LanguageResult(string? Detected, double TargetConfidence, bool InTarget);

    private static LanguageResult[]? Language(IReadOnlyList<Example> examples, QualityOptions options, List<string> notes, CancellationToken ct)
    {
        if (options.TargetLanguage is null || options.LanguageIdentifier is null)
        {
            notes.Add("no target language or language identifier: language not measured");
            return null;
        }

        var target = LanguageRegistry.Default.TryResolve(options.TargetLanguage, out var known) ? known.Code : options.TargetLanguage;
        if (!options.LanguageIdentifier.Supports(target))
        {
            notes.Add($"the language identifier cannot detect '{target}': language not measured");
            return null;
        }

        var results = new LanguageResult[examples.Count];
        Parallel.For(0, examples.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var guess = options.LanguageIdentifier.Identify(examples[i].Text);
            var confidence = guess.Code == target ? guess.Confidence : 0;
            results[i] = new LanguageResult(guess.Code, confidence, guess.Code == target && confidence >= options.LanguageConfidence);
        });
        return results;
    }

    private static (int?[] ExactOf, int?[] NearOf, double?[] NearSimilarity, int?[] OtherLabelOf) Redundancy(
        IReadOnlyList<Example> examples, HashSet<ulong>[] shingles, NearDuplicateFinder finder, QualityOptions options, CancellationToken ct)
    {
        var n = examples.Count;
        var exactOf = new int?[n];
        var nearOf = new int?[n];
        var nearSimilarity = new double?[n];
        var otherLabelOf = new int?[n];

        // Exact duplicates (same normalized text) collapse to their first occurrence before the near-duplicate search,
        // which keeps LSH buckets small even when a generator repeats itself a lot.
        var firstByText = new Dictionary<string, int>(StringComparer.Ordinal);
        var representatives = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var key = TextShingles.Normalize(examples[i].Text);
            if (firstByText.TryGetValue(key, out var first))
            {
                if (examples[first].Label == examples[i].Label)
                {
                    exactOf[i] = first;
                }
                else
                {
                    otherLabelOf[i] ??= first;
                    otherLabelOf[first] ??= i;
                }
            }
            else
            {
                firstByText[key] = i;
                representatives.Add(i);
            }
        }

        var pairs = finder.FindPairs([.. representatives.Select(i => shingles[i])], options.NearDuplicateThreshold, ct);
        foreach (var pair in pairs)
        {
            var (a, b) = (representatives[pair.First], representatives[pair.Second]);
            if (examples[a].Label == examples[b].Label)
            {
                // Pairs come ordered by (First, Second): b's earliest similar text wins, so every cluster has one keeper.
                if (nearOf[b] is null && nearOf[a] is null)
                {
                    nearOf[b] = a;
                    nearSimilarity[b] = pair.Similarity;
                }
            }
            else
            {
                otherLabelOf[a] ??= b;
                otherLabelOf[b] ??= a;
            }
        }

        return (exactOf, nearOf, nearSimilarity, otherLabelOf);
    }

    private static async Task<(Prediction?[]? OutOfFold, Prediction[]? Seed)> ConsistencyAsync(
        IReadOnlyList<Example> examples, QualityOptions options, List<string> notes, CancellationToken ct)
    {
        if (options.Trainer is null)
        {
            notes.Add("no classifier trainer: label consistency not measured");
            return (null, null);
        }

        var labeled = examples.Select(e => new LabeledText(e.Text, e.Label)).ToArray();
        Prediction?[]? oof = null;
        if (labeled.Select(e => e.Label).Distinct().Count() >= 2)
        {
            oof = await LabelConsistency.OutOfFoldAsync(labeled, options.Trainer, options.Folds, options.Seed, ct).ConfigureAwait(false);
        }
        else
        {
            notes.Add("fewer than two classes: out-of-fold consistency not measured");
        }

        Prediction[]? seed = null;
        if (options.Demonstrations is { Count: > 0 } demonstrations
            && demonstrations.Select(d => d.Label).Distinct().Count() >= 2)
        {
            seed = await LabelConsistency.PredictAsync(
                [.. demonstrations.Select(d => new LabeledText(d.Text, d.Label))], [.. examples.Select(e => e.Text)],
                options.Trainer, options.Seed, ct).ConfigureAwait(false);
        }
        else
        {
            notes.Add("no demonstrations with two or more classes: gold seed agreement not measured");
        }

        return (oof, seed);
    }

    private static double[]? Overlaps(IReadOnlyList<Example> examples, IReadOnlyList<Example>? references, int n, string missing, List<string> notes)
    {
        if (references is not { Count: > 0 })
        {
            notes.Add("no " + missing);
            return null;
        }

        var index = new NgramOverlapIndex(references.Select(r => r.Text), n);
        var overlaps = new double[examples.Count];
        Parallel.For(0, examples.Count, i => overlaps[i] = index.MaxContainment(examples[i].Text));
        return overlaps;
    }

    private static IReadOnlyList<Example>? ClassGold(IReadOnlyList<Example>? gold, string label) =>
        gold?.Where(g => g.Label == label).ToArray() is { Length: > 0 } some ? some : null;

    private static GroupQuality Summarize(
        string name, int[] members, ExampleDiagnostics[] d, string[][] words, HashSet<ulong>[] shingles, QualityOptions options,
        IReadOnlyList<Example>? gold)
    {
        var count = members.Length;
        double? Share(Func<ExampleDiagnostics, bool?> f) =>
            members.Select(i => f(d[i])).Where(v => v is not null).ToArray() is { Length: > 0 } values
                ? values.Count(v => v == true) / (double)values.Length : null;

        var tokens = members.SelectMany(i => words[i]).ToArray();
        var bigrams = members.SelectMany(i => words[i].Zip(words[i].Skip(1), (a, b) => a + " " + b)).ToArray();
        var vocabulary = tokens.ToHashSet(StringComparer.Ordinal);
        double? coverage = null;
        if (gold is not null)
        {
            var goldVocabulary = gold.SelectMany(g => TextShingles.Words(g.Text)).ToHashSet(StringComparer.Ordinal);
            coverage = goldVocabulary.Count == 0 ? null : goldVocabulary.Count(vocabulary.Contains) / (double)goldVocabulary.Count;
        }

        var hasConsistency = members.Any(i => d[i].OutOfFoldLabel is not null || d[i].SeedLabel is not null);
        return new GroupQuality(
            name,
            count,
            Share(x => x.InTargetLanguage),
            MeanOrNull(members.Select(i => d[i].TargetLanguageConfidence)),
            members.Count(i => d[i].ExactDuplicateOf is not null),
            members.Count(i => d[i].NearDuplicateOf is not null),
            members.Count(i => d[i].OtherLabelDuplicateOf is not null),
            tokens.Length == 0 ? 0 : vocabulary.Count / (double)tokens.Length,
            bigrams.Length == 0 ? 0 : bigrams.Distinct(StringComparer.Ordinal).Count() / (double)bigrams.Length,
            vocabulary.Count,
            SelfSimilarity(members, shingles, options.SelfSimilarityPairs, options.Seed),
            Lengths(members, d),
            coverage,
            Share(x => x.OutOfFoldLabel is null ? null : x.OutOfFoldLabel == x.Label),
            Share(x => x.SeedLabel is null ? null : x.SeedLabel == x.Label),
            hasConsistency ? members.Count(i => IsFlaggedMislabeled(d[i], options.MislabelConfidence)) : null,
            members.Any(i => d[i].CopyingOverlap is not null) ? members.Count(i => d[i].CopyingOverlap >= options.CopyingThreshold) : null,
            members.Any(i => d[i].ContaminationOverlap is not null) ? members.Count(i => d[i].ContaminationOverlap >= options.ContaminationThreshold) : null);
    }

    private static double? MeanOrNull(IEnumerable<double?> values) =>
        values.Where(v => v is not null).Select(v => v!.Value).ToArray() is { Length: > 0 } present ? present.Average() : null;

    /// <summary>Mean character n-gram Jaccard similarity between two different members: all pairs when few,
    /// otherwise a seeded sample.</summary>
    private static double SelfSimilarity(int[] members, HashSet<ulong>[] shingles, int maxPairs, int seed)
    {
        if (members.Length < 2)
        {
            return 0;
        }

        var total = 0.0;
        var pairs = 0;
        var allPairs = (long)members.Length * (members.Length - 1) / 2;
        if (allPairs <= maxPairs)
        {
            for (var a = 0; a < members.Length; a++)
            {
                for (var b = a + 1; b < members.Length; b++)
                {
                    total += TextShingles.Jaccard(shingles[members[a]], shingles[members[b]]);
                    pairs++;
                }
            }
        }
        else
        {
            var random = new Random(seed);
            while (pairs < maxPairs)
            {
                var a = random.Next(members.Length);
                var b = random.Next(members.Length);
                if (a != b)
                {
                    total += TextShingles.Jaccard(shingles[members[a]], shingles[members[b]]);
                    pairs++;
                }
            }
        }

        return total / pairs;
    }

    private static LengthStatistics Lengths(int[] members, ExampleDiagnostics[] d)
    {
        if (members.Length == 0)
        {
            return new LengthStatistics(0, 0, 0, 0, 0, 0);
        }

        var lengths = members.Select(i => d[i].WordCount).Order().ToArray();
        var mean = lengths.Average();
        var sd = Math.Sqrt(lengths.Select(l => (l - mean) * (l - mean)).Average());
        var median = lengths.Length % 2 == 1 ? lengths[lengths.Length / 2] : (lengths[lengths.Length / 2 - 1] + lengths[lengths.Length / 2]) / 2.0;
        return new LengthStatistics(mean, sd, lengths[0], median, lengths[^1], members.Average(i => (double)d[i].Text.Length));
    }
}
