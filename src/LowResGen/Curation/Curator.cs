using LowResGen.Data;

namespace LowResGen.Curation;

/// <summary>How the examples that survive the filters are chosen when a class has more than the limit.</summary>
public enum SelectionStrategy
{
    /// <summary>A seeded random draw, like the reference protocol's balancing.</summary>
    Random,

    /// <summary>Highest quality score first: agreement of the classifiers with the label and target-language confidence.</summary>
    Quality,

    /// <summary>Quality, discounted by similarity to the examples already chosen (maximal marginal relevance).</summary>
    QualityDiverse,

    /// <summary>Only diversity: each step takes the candidate least similar to those already chosen (farthest point).</summary>
    Diverse,

    /// <summary>Highest score of the label under the classifier trained on the gold seed first, with the diversity discount.</summary>
    SeedAgreement,

    /// <summary>Hardest first: lowest out-of-fold score of the own label among the examples the filters kept (pair it with the
    /// consistency filter so that "hard" does not mean "mislabeled"), with the diversity discount.</summary>
    Hard,

    /// <summary>Most realistic first (see <see cref="Realism"/>), discounted by similarity to those already chosen.</summary>
    Realistic,
}

/// <summary>What to curate: the filters in order, the per-class limit and how to choose under it.</summary>
public sealed record CurationOptions
{
    public int PerClass { get; init; } = 100;

    public IReadOnlyList<CurationFilter> Filters { get; init; } = [];

    /// <summary>Hard won on kinit-synthetic (docs/curation-results.md): boundary examples teach the classifier more than typical ones.</summary>
    public SelectionStrategy Selection { get; init; } = SelectionStrategy.Hard;

    /// <summary>Weight of the similarity penalty of the score-based selections (0: pure score order). Measured to hurt on
    /// kinit-synthetic, so off by default.</summary>
    public double DiversityWeight { get; init; }

    /// <summary>The filters that won on kinit-synthetic: drop wrong-language lines, repeats, texts shared with another label
    /// and every text the out-of-fold classifier gives another label.</summary>
    public static IReadOnlyList<CurationFilter> DefaultFilters { get; } =
        CurationFilter.ParseList("language,exact-duplicates,cross-label,consistency=0");

    /// <summary>Seeds the random draw and breaks ties.</summary>
    public int Seed { get; init; }
}

/// <summary>An example left out, the filter (or "selection") that left it out, and why.</summary>
public sealed record DroppedExample(Example Example, string Filter, string Reason);

/// <summary>The kept set (input order) and every dropped example; together they are exactly the input.</summary>
public sealed record CurationResult(IReadOnlyList<Example> Kept, IReadOnlyList<DroppedExample> Dropped)
{
    public const string SelectionFilter = "selection";

    public IReadOnlyDictionary<string, int> DroppedByFilter =>
        Dropped.GroupBy(d => d.Filter).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>
/// Applies the chosen filters to a generated set, then keeps up to N examples per class, preferring consistent,
/// in-language and diverse ones. Deterministic for <see cref="CurationOptions.Seed"/>; nothing is lost.
/// </summary>
public static class Curator
{
    public static async Task<(CurationResult Result, QualityReport Report)> CurateAsync(
        IReadOnlyList<Example> examples, QualityOptions quality, CurationOptions options, string source = "", CancellationToken cancellationToken = default)
    {
        var report = await QualityAnalyzer.AnalyzeAsync(examples, quality, source, cancellationToken: cancellationToken).ConfigureAwait(false);
        return (Curate(examples, report, options), report);
    }

    /// <summary>Curates with an existing report of the same examples (for example to try several filter sets).</summary>
    public static CurationResult Curate(IReadOnlyList<Example> examples, QualityReport report, CurationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PerClass);
        if (report.Examples.Count != examples.Count)
        {
            throw new ArgumentException($"The report describes {report.Examples.Count} examples, not {examples.Count}.", nameof(report));
        }

        var dropped = new DroppedExample?[examples.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            foreach (var filter in options.Filters)
            {
                if (filter.Reason(report.Examples[i], report.Settings) is { } reason)
                {
                    dropped[i] = new DroppedExample(examples[i], filter.Name, reason);
                    break;
                }
            }
        }

        var tieBreak = new Random(options.Seed);
        var order = Enumerable.Range(0, examples.Count).Select(_ => tieBreak.NextDouble()).ToArray();
        var kept = new HashSet<int>();
        foreach (var group in Enumerable.Range(0, examples.Count).Where(i => dropped[i] is null)
                     .GroupBy(i => examples[i].Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var candidates = group.ToArray();
            var chosen = candidates.Length <= options.PerClass
                ? candidates
                : Select(candidates, examples, report, options, order);
            kept.UnionWith(chosen);
            foreach (var i in candidates.Where(i => !kept.Contains(i)))
            {
                dropped[i] = new DroppedExample(examples[i], CurationResult.SelectionFilter,
                    $"over the limit of {options.PerClass} for {examples[i].Label} ({options.Selection})");
            }
        }

        return new CurationResult(
            [.. Enumerable.Range(0, examples.Count).Where(kept.Contains).Select(i => examples[i])],
            [.. dropped.Where(d => d is not null).Select(d => d!)]);
    }

    /// <summary>The quality score used by the selection: the mean of the signals that were measured, in [0, 1].</summary>
    public static double QualityScore(ExampleDiagnostics d)
    {
        var signals = new[] { d.OutOfFoldOwnLabelScore, d.SeedOwnLabelScore, d.InTargetLanguage is null ? null : d.TargetLanguageConfidence }
            .Where(s => s is not null).Select(s => s!.Value).ToArray();
        return signals.Length == 0 ? 0 : signals.Average();
    }

    private static IEnumerable<int> Select(int[] candidates, IReadOnlyList<Example> examples, QualityReport report, CurationOptions options, double[] order)
    {
        switch (options.Selection)
        {
            case SelectionStrategy.Random:
                return candidates.OrderBy(i => order[i]).Take(options.PerClass);
            case SelectionStrategy.Quality:
                return Ranked(candidates, report, options, order, QualityScore);
            case SelectionStrategy.Diverse:
                return SelectDiverse(candidates, examples, report, options with { DiversityWeight = 1 }, order, _ => 0);
            case SelectionStrategy.SeedAgreement:
                return SelectDiverse(candidates, examples, report, options, order, d => d.SeedOwnLabelScore ?? 0);
            case SelectionStrategy.Hard:
                return SelectDiverse(candidates, examples, report, options, order, d => 1 - (d.OutOfFoldOwnLabelScore ?? 1));
            case SelectionStrategy.Realistic:
                return SelectDiverse(candidates, examples, report, options, order, d => d.Realism ?? 0);
            default:
                return SelectDiverse(candidates, examples, report, options, order, QualityScore);
        }
    }

    // Greedy maximal marginal relevance: each step takes the candidate with the best quality minus weighted similarity to
    // its nearest already-chosen example. Linear in candidates per step.
    private static IEnumerable<int> SelectDiverse(
        int[] candidates, IReadOnlyList<Example> examples, QualityReport report, CurationOptions options, double[] order, Func<ExampleDiagnostics, double> score)
    {
        if (options.DiversityWeight == 0)
        {
            // Without a diversity term the greedy loop is a sort; skip the n-grams and similarities it would compute.
            return Ranked(candidates, report, options, order, score);
        }

        var shingleSize = report.Settings.ShingleSize;
        var shingles = candidates.ToDictionary(i => i, i => TextShingles.CharacterNgrams(examples[i].Text, shingleSize));
        var quality = candidates.ToDictionary(i => i, i => score(report.Examples[i]));
        var nearest = candidates.ToDictionary(i => i, _ => 0.0);
        var remaining = candidates.OrderBy(i => order[i]).ToList();
        var chosen = new List<int>(options.PerClass);
        while (chosen.Count < options.PerClass && remaining.Count > 0)
        {
            var best = remaining[0];
            var bestValue = double.NegativeInfinity;
            foreach (var i in remaining)
            {
                var value = quality[i] - options.DiversityWeight * nearest[i];
                if (value > bestValue)
                {
                    (best, bestValue) = (i, value);
                }
            }

            chosen.Add(best);
            remaining.Remove(best);
            foreach (var i in remaining)
            {
                nearest[i] = Math.Max(nearest[i], TextShingles.Jaccard(shingles[i], shingles[best]));
            }
        }

        return chosen;
    }

    /// <summary>The best-scoring candidates, ties broken by the seeded order.</summary>
    private static IEnumerable<int> Ranked(int[] candidates, QualityReport report, CurationOptions options, double[] order, Func<ExampleDiagnostics, double> score) =>
        candidates.OrderByDescending(i => score(report.Examples[i])).ThenBy(i => order[i]).Take(options.PerClass);
}
