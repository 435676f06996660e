namespace LowResGen.Evaluation.Classifiers;

/// <summary>How the loss of the linear model treats a margin violation.</summary>
public enum LinearLoss
{
    /// <summary>Squared hinge (L2-loss SVM): smooth, robust default for sparse text features.</summary>
    SquaredHinge,

    /// <summary>Hinge (L1-loss SVM).</summary>
    Hinge,
}

/// <summary>
/// Settings of <see cref="LinearTextClassifierTrainer"/>. The defaults were tuned against fastText on SIB-200 and
/// the kinit-synthetic intent and topic tasks (see docs/classifier.md).
/// </summary>
public sealed record LinearTextClassifierOptions
{
    public static LinearTextClassifierOptions Default { get; } = new();

    /// <summary>Longest word n-gram (1 = words only, 2 = words and bigrams).</summary>
    public int MaxWordNgram { get; init; } = 2;

    /// <summary>Shortest character n-gram, taken inside each word padded with boundary marks as fastText does; 0 disables them.</summary>
    public int MinCharNgram { get; init; } = 2;

    /// <summary>Longest character n-gram.</summary>
    public int MaxCharNgram { get; init; } = 5;

    /// <summary>Share of the feature vector's squared norm given to the character n-grams (the rest goes to word n-grams).</summary>
    public double CharacterWeight { get; init; } = 0.8;

    /// <summary>Use 1 + log(tf) instead of raw counts.</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>Weight features by smoothed inverse document frequency.</summary>
    public bool UseIdf { get; init; } = true;

    /// <summary>Features seen in fewer training texts are dropped.</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>Inverse regularization strength of the one-vs-rest SVMs.</summary>
    public double C { get; init; } = 3.0;

    public LinearLoss Loss { get; init; } = LinearLoss.SquaredHinge;

    /// <summary>Value of the constant bias feature (LIBLINEAR's -B); 0 disables the bias.</summary>
    public double Bias { get; init; } = 1.0;

    /// <summary>Most passes of dual coordinate descent over the data per class.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Stopping tolerance on the projected-gradient spread (LIBLINEAR's -e).</summary>
    public double Tolerance { get; init; } = 0.1;

    /// <summary>Scores are softmax(ScoreScale * decision value): higher makes the reported confidences sharper.</summary>
    public double ScoreScale { get; init; } = 5.0;

    /// <summary>Train the per-class models in parallel (results do not depend on it).</summary>
    public bool Parallel { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWordNgram, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinCharNgram, 0);
        if (MinCharNgram > 0 && MaxCharNgram < MinCharNgram)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCharNgram), "MaxCharNgram must be at least MinCharNgram.");
        }

        if (MaxWordNgram == 0 && MinCharNgram == 0)
        {
            throw new ArgumentException("At least word or character n-grams must be enabled.");
        }

        if (CharacterWeight is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CharacterWeight), "CharacterWeight must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(C);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Tolerance);
        ArgumentOutOfRangeException.ThrowIfNegative(Bias);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ScoreScale);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinDocumentFrequency);
    }
}
