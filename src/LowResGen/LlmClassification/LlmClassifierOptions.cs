namespace LowResGen.LlmClassification;

/// <summary>How the answer is kept to one label.</summary>
public enum ConstrainedOutput
{
    /// <summary>Ask backends for a grammar / choice over the label names (ignored by backends that cannot); map free text otherwise.</summary>
    Auto,

    /// <summary>Free text, mapped to a label by <see cref="LabelMapper"/>.</summary>
    Off,

    /// <summary>A JSON schema response format whose "label" is an enum of the label names (OpenAI-style servers).</summary>
    JsonSchema,
}

/// <summary>How a label is chosen.</summary>
public enum LlmScoring
{
    /// <summary>The model writes an answer, which is mapped to a label.</summary>
    Generate,

    /// <summary>Each label is scored by its log-probability as the reply (needs <c>ICompletionScorer</c>); no parsing.</summary>
    LogProbability,
}

/// <summary>Settings of an LLM classifier. Demonstrations (k-shot) are passed per run, not here.</summary>
public sealed record LlmClassifierOptions
{
    /// <summary>Include each label's description from the task definition in the prompt.</summary>
    public bool IncludeDescriptions { get; init; } = true;

    public ConstrainedOutput Constrained { get; init; } = ConstrainedOutput.Auto;

    public LlmScoring Scoring { get; init; } = LlmScoring.Generate;

    /// <summary>Requests in flight at once; the backend or its middleware may limit further.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Room for a label or a short sentence; a classifier that rambles is mapped from its first words anyway.</summary>
    public int MaxOutputTokens { get; init; } = 48;

    public float Temperature { get; init; }
}
