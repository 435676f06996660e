using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Curation;

/// <summary>
/// What to measure and with which thresholds. Every optional input switches on one measure: a language identifier and
/// a target language (language), a trainer (label consistency), demonstrations (copying, and the gold seed classifier),
/// a gold test set (contamination, vocabulary coverage).
/// </summary>
public sealed record QualityOptions
{
    /// <summary>ISO 639-1 (or any registry code) of the language the set should be in.</summary>
    public string? TargetLanguage { get; init; }

    public ILanguageIdentifier? LanguageIdentifier { get; init; }

    /// <summary>A text counts as in the target language when detected as it (its most likely language) with at least this confidence: among 11 candidates a short in-language text often scores only 0.3-0.5.</summary>
    public double LanguageConfidence { get; init; } = 0.25;

    /// <summary>Character n-gram size for near-duplicate detection and self-similarity.</summary>
    public int ShingleSize { get; init; } = 4;

    /// <summary>Character n-gram Jaccard similarity from which two texts are near duplicates.</summary>
    public double NearDuplicateThreshold { get; init; } = 0.7;

    /// <summary>Trains the classifiers of the label-consistency measure; null skips it.</summary>
    public IClassifierTrainer? Trainer { get; init; }

    /// <summary>Folds of the out-of-fold predictions on the generated set itself.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>An example is flagged as mislabeled when a classifier predicts another label with at least this confidence.</summary>
    public double MislabelConfidence { get; init; } = 0.5;

    /// <summary>The examples generation was prompted with (k per label): used for copying and for the gold seed classifier.</summary>
    public IReadOnlyList<Example>? Demonstrations { get; init; }

    /// <summary>The gold test set: used for contamination and vocabulary coverage.</summary>
    public IReadOnlyList<Example>? GoldTest { get; init; }

    /// <summary>Word n-gram size of the leakage measures.</summary>
    public int LeakageNgram { get; init; } = 3;

    /// <summary>Share of an example's word n-grams found in one demonstration from which it counts as copied.</summary>
    public double CopyingThreshold { get; init; } = 0.8;

    /// <summary>Share of an example's word n-grams found in one gold test text from which it counts as contaminating.</summary>
    public double ContaminationThreshold { get; init; } = 0.8;

    /// <summary>Seeds the folds, the classifiers and the sampling of pairs for self-similarity.</summary>
    public int Seed { get; init; }

    /// <summary>Pairs sampled per group to estimate self-similarity.</summary>
    public int SelfSimilarityPairs { get; init; } = 2000;
}
