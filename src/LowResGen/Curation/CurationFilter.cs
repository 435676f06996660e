using System.Globalization;

namespace LowResGen.Curation;

/// <summary>
/// One named filter with an optional threshold, written "name" or "name=threshold" on the command line.
/// Each filter reads the <see cref="ExampleDiagnostics"/> of the quality report and says why it drops an example, or null.
/// </summary>
public sealed record CurationFilter(string Name, double? Threshold = null)
{
    public const string LanguageName = "language";
    public const string ExactDuplicatesName = "exact-duplicates";
    public const string NearDuplicatesName = "near-duplicates";
    public const string CrossLabelName = "cross-label";
    public const string ConsistencyName = "consistency";
    public const string SeedAgreementName = "seed-agreement";
    public const string CopyingName = "copying";
    public const string ContaminationName = "contamination";
    public const string LengthName = "length";

    /// <summary>Every filter name with what its threshold means.</summary>
    public static IReadOnlyDictionary<string, string> Known { get; } = new Dictionary<string, string>
    {
        [LanguageName] = "drop texts not detected as the target language with at least this confidence (default: the report's, 0.25)",
        [ExactDuplicatesName] = "drop repeated texts of the same class after normalization (no threshold)",
        [NearDuplicatesName] = "drop texts whose character 4-gram Jaccard similarity to an earlier text of the class is at least this (default: the report's, 0.7)",
        [CrossLabelName] = "drop texts identical or near-identical to a text of another class (no threshold)",
        [ConsistencyName] = "drop texts that out-of-fold classifiers confidently give another label (minimum confidence, default 0.5)",
        [SeedAgreementName] = "drop texts that a classifier trained on the gold seed confidently gives another label (minimum confidence, default 0.5)",
        [CopyingName] = "drop texts whose word 3-grams are at least this share inside one demonstration (default 0.8)",
        [ContaminationName] = "drop texts whose word 3-grams are at least this share inside one gold test text (default 0.8)",
        [LengthName] = "drop texts with fewer characters (text elements) than this (default: the task's generation minimum, 6 for intents, 20 for topics)",
    };

    /// <summary>Parses "language,near-duplicates=0.8,consistency=0.6".</summary>
    public static IReadOnlyList<CurationFilter> ParseList(string? list)
    {
        if (string.IsNullOrWhiteSpace(list) || list.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        return [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];
    }

    public static CurationFilter Parse(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        var name = parts[0].ToLowerInvariant();
        if (!Known.ContainsKey(name))
        {
            throw new ArgumentException($"Unknown filter '{parts[0]}'. Known filters: {string.Join(", ", Known.Keys)}.");
        }

        double? threshold = null;
        if (parts.Length == 2)
        {
            threshold = double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"Filter '{name}': threshold '{parts[1]}' is not a number.");
        }

        return new CurationFilter(name, threshold);
    }

    /// <summary>Why this filter drops the example, or null to keep it. Filters whose measure is missing keep everything.</summary>
    public string? Reason(ExampleDiagnostics d, QualitySettings settings) => Name switch
    {
        LanguageName when d.InTargetLanguage is not null
            && (d.DetectedLanguage is null || d.TargetLanguageConfidence < (Threshold ?? settings.LanguageConfidence)) =>
            $"detected {d.DetectedLanguage ?? "no language"}, target-language confidence {d.TargetLanguageConfidence:0.00}",
        ExactDuplicatesName when d.ExactDuplicateOf is { } first => $"same text as #{first}",
        NearDuplicatesName when d.NearDuplicateOf is { } first && d.NearDuplicateSimilarity >= (Threshold ?? settings.NearDuplicateThreshold) =>
            $"{d.NearDuplicateSimilarity:0.00} similar to #{first}",
        CrossLabelName when d.OtherLabelDuplicateOf is { } other => $"(near) duplicate of #{other}, which has another label",
        ConsistencyName when QualityAnalyzer.OutOfFoldDisagrees(d, Threshold ?? settings.MislabelConfidence) =>
            $"out-of-fold classifier says {d.OutOfFoldLabel} ({d.OutOfFoldConfidence:0.00})",
        SeedAgreementName when QualityAnalyzer.SeedDisagrees(d, Threshold ?? settings.MislabelConfidence) =>
            $"gold-seed classifier says {d.SeedLabel} ({d.SeedConfidence:0.00})",
        CopyingName when d.CopyingOverlap >= (Threshold ?? settings.CopyingThreshold) => $"{d.CopyingOverlap:P0} copied from a demonstration",
        ContaminationName when d.ContaminationOverlap >= (Threshold ?? settings.ContaminationThreshold) => $"{d.ContaminationOverlap:P0} inside a gold test text",
        LengthName when d.Characters < (Threshold ?? settings.MinCharacters) => $"{d.Characters} characters",
        _ => null,
    };

    public override string ToString() =>
        Threshold is { } t ? $"{Name}={t.ToString(CultureInfo.InvariantCulture)}" : Name;
}
