namespace LowResGen.Curation;

/// <summary>What the quality measures found about one generated example. Null means the measure was not run
/// (no language identifier for the target, no trainer, no demonstrations, no gold test set).</summary>
public sealed record ExampleDiagnostics(
    int Index,
    string Id,
    string Text,
    string Label,
    int WordCount,
    string? DetectedLanguage,
    double? TargetLanguageConfidence,
    int? ExactDuplicateOf,
    int? NearDuplicateOf,
    double? NearDuplicateSimilarity,
    int? OtherLabelDuplicateOf,
    string? OutOfFoldLabel,
    double? OutOfFoldConfidence,
    double? OutOfFoldOwnLabelScore,
    string? SeedLabel,
    double? SeedConfidence,
    double? SeedOwnLabelScore,
    double? CopyingOverlap,
    double? ContaminationOverlap)
{
    /// <summary>Null when the target language is unknown or the identifier cannot detect it.</summary>
    public bool? InTargetLanguage { get; init; }

    /// <summary>Out-of-fold probability that a real-vs-generated classifier takes this text for real data (needs demonstrations).</summary>
    public double? Realism { get; init; }

    /// <summary>Length by the one length rule (<see cref="Common.LengthRange.Length"/>: characters as text elements).</summary>
    public int Characters { get; init; }
}

/// <summary>Summary statistics of the lengths, in words.</summary>
public sealed record LengthStatistics(double Mean, double StandardDeviation, int Minimum, double Median, int Maximum, double MeanCharacters);

/// <summary>The quality measures over one group of examples: the whole set or one class.</summary>
public sealed record GroupQuality(
    string Group,
    int Count,
    double? InLanguageShare,
    double? MeanLanguageConfidence,
    int ExactDuplicates,
    int NearDuplicates,
    int OtherLabelDuplicates,
    double Distinct1,
    double Distinct2,
    int VocabularySize,
    double SelfSimilarity,
    LengthStatistics Length,
    double? GoldTestVocabularyCoverage,
    double? OutOfFoldAgreement,
    double? SeedAgreement,
    int? FlaggedMislabeled,
    int? FlaggedCopying,
    int? FlaggedContamination);

/// <summary>The quality report of a generated set: the whole set, each class, each example, and what was not measured.</summary>
public sealed record QualityReport(
    string Source,
    string? Task,
    string? Language,
    QualitySettings Settings,
    GroupQuality Overall,
    IReadOnlyList<GroupQuality> Classes,
    IReadOnlyList<ExampleDiagnostics> Examples,
    IReadOnlyList<string> Notes);

/// <summary>The thresholds a report was computed with, recorded so that a report can be read on its own.</summary>
public sealed record QualitySettings(
    int ShingleSize,
    double NearDuplicateThreshold,
    string? Classifier,
    int Folds,
    double MislabelConfidence,
    int LeakageNgram,
    double CopyingThreshold,
    double ContaminationThreshold,
    double LanguageConfidence,
    int Seed)
{
    /// <summary>The <c>length</c> filter's default minimum: the task's generation minimum (<see cref="Common.LengthRange.DefaultFor"/>).</summary>
    public int MinCharacters { get; init; } = Common.LengthRange.DefaultFor("").MinCharacters;
}
