using LowResGen.Data;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Evaluation.Metrics;

namespace LowResGen.Evaluation;

/// <summary>
/// A named training set to evaluate ("gold", "generated", ...), optionally with its own student: settings of several
/// students in one run are scored on the same test items and can be compared in one table.
/// </summary>
public sealed record EvaluationSetting(string Name, IReadOnlyList<Example> Train)
{
    /// <summary>Examples every seed's training set holds on top of its balanced draw of <see cref="Train"/>, not sampled
    /// (mix:k: the k gold examples per class added to a generated set).</summary>
    public IReadOnlyList<Example> Added { get; init; } = [];

    /// <summary>The student of this setting; null: the runner's.</summary>
    public IClassifierTrainer? Trainer { get; init; }

    /// <summary>Examples per class each seed draws from <see cref="Train"/>; null: the options' (few-gold:k draws k).</summary>
    public int? PerClass { get; init; }
}

/// <summary>The reference protocol's knobs.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Seeds 0..Seeds-1; each seed draws its own balanced training set and trains its own model.</summary>
    public int Seeds { get; init; } = 10;

    /// <summary>Explicit seeds instead of 0..Seeds-1 (the LLM classifier's repeats); null: 0..Seeds-1.</summary>
    public IReadOnlyList<int>? SeedList { get; init; }

    internal IReadOnlyList<int> SeedValues => SeedList ?? [.. Enumerable.Range(0, Seeds)];

    /// <summary>At most this many training examples per class.</summary>
    public int PerClass { get; init; } = 100;

    /// <summary>Applied to training and test texts before training and prediction (predictions files keep the original text).</summary>
    public TextNormalization Normalization { get; init; } = TextNormalization.None;

    /// <summary>
    /// How many (setting, seed) runs train at once. Above 1 the one trainer is called concurrently, so it must be
    /// thread-safe (set 1 for one that is not). Results do not depend on it.
    /// </summary>
    public int MaxParallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>The setting the others are compared with; null means "gold" if there is one, else the first setting.</summary>
    public string? Reference { get; init; }

    /// <summary>Whether to render a confusion-matrix PNG per setting and seed.</summary>
    public bool WritePlots { get; init; } = true;
}

/// <summary>Reported after every (setting, seed): <see cref="Resumed"/> when an earlier run had already finished it.</summary>
public sealed record EvaluationProgress(int Completed, int Total, ResultRow Row, bool Resumed);

/// <summary>Mean ± std over seeds of one label's precision, recall and F1; support is the gold test count.</summary>
public sealed record ClassSummary(string Label, MeanStd Precision, MeanStd Recall, MeanStd F1, int Support);

/// <summary>
/// One setting over all its seeds, and how it compares with the reference setting. <see cref="TrainingExamples"/> is
/// the file's size before balancing; <see cref="Used"/> what balancing kept per class.
/// </summary>
public sealed record SettingSummary(
    string Name,
    bool IsReference,
    int TrainingExamples,
    MeanStd F1,
    MeanStd Accuracy,
    PairedComparison? F1VersusReference,
    PairedComparison? AccuracyVersusReference,
    IReadOnlyList<ClassSummary> PerClass,
    ClassCounts? Used = null)
{
    /// <summary>Every seed trained on the whole file (no class above the cap), so seeds differ only by the trainer's randomness.</summary>
    public bool OneDistinctDraw => Used?.OneDistinctDraw == true;

    /// <summary>The student's name (settings of one run may have different students).</summary>
    public string Trainer { get; init; } = "";

    /// <summary>Predictions that named no label (<see cref="Prediction.NoLabel"/>), over all seeds: wrong, and counted.</summary>
    public int Unmapped { get; init; }

    /// <summary>Predictions made, over all seeds.</summary>
    public int Predictions { get; init; }
}

/// <summary>What one evaluation run found; written as summary.json.</summary>
public sealed record EvaluationSummary(
    string Task,
    IReadOnlyList<string> Labels,
    string Trainer,
    int Seeds,
    int PerClass,
    bool Lowercase,
    bool StripPunctuation,
    int TestExamples,
    string Reference,
    IReadOnlyList<SettingSummary> Settings,
    string OutputDirectory)
{
    /// <summary>This run's results.csv rows, in (setting, seed) order.</summary>
    public IReadOnlyList<ResultRow> Rows { get; init; } = [];

    public SettingSummary this[string setting] =>
        Settings.FirstOrDefault(s => string.Equals(s.Name, setting, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"No setting '{setting}' in the summary.");
}
