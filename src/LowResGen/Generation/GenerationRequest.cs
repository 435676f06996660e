using LowResGen.Common;
using LowResGen.Data;

namespace LowResGen.Generation;

/// <summary>How a generation run samples, retries and filters. The defaults suit a local 7-9B model.</summary>
public sealed record GenerationOptions
{
    public int Seed { get; init; } = 42;

    /// <summary>Name of the label column of the generated CSVs (the reference layout's "intent" by default; readers accept any).</summary>
    public string LabelColumn { get; init; } = Data.Import.CsvWriteOptions.DefaultLabelColumn;

    /// <summary>Examples asked for per request (the prompt asks for this many plus <see cref="ExtraPerRequest"/>).</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>Asked for on top of the batch, because some are always filtered out (the reference asks for N + 2).</summary>
    public int ExtraPerRequest { get; init; } = 2;

    /// <summary>Requests per class before giving up on its quota; null means three times the requests the quota needs.</summary>
    public int? MaxAttemptsPerClass { get; init; }

    public float Temperature { get; init; } = 1.0f;

    public float? TopP { get; init; }

    /// <summary>The answer's token budget; an answer that hits it loses its last (likely cut) item.</summary>
    public int MaxOutputTokens { get; init; } = 1024;

    /// <summary>Requests of one class sent at once (how many are in flight overall is the LLM middleware's limit).</summary>
    public int MaxConcurrentAttemptsPerClass { get; init; } = 3;

    /// <summary>Accepted length; null means <see cref="LengthRange.DefaultFor"/> the task's kind of label.</summary>
    public LengthRange? Length { get; init; }

    /// <summary>Ask for a JSON list of strings, constrained by a JSON schema where the backend supports one.</summary>
    public bool AskForJsonList { get; init; }

    /// <summary>A directory whose generate.txt / judge.txt / describe.txt replace the built-in templates.</summary>
    public string? TemplateDirectory { get; init; }

    /// <summary>The model name recorded in outputs; null means the client's metadata.</summary>
    public string? ModelId { get; init; }

    /// <summary>The context length assumed when the client offers no <see cref="Llm.ITokenCounter"/>; null skips the check.</summary>
    public int? FallbackContextLength { get; init; } = 8192;
}

/// <summary>
/// What to generate: a task's labels in one language with one strategy, N accepted examples per class. Training data is
/// needed only by the strategy parts that use it (demonstrations, summarized descriptions). With an
/// <see cref="OutputDirectory"/>, everything is persisted as it goes and a rerun resumes.
/// </summary>
public sealed record GenerationRequest(TaskDefinition Task, string Language, GenerationStrategy Strategy, int PerClass)
{
    /// <summary>Accepted examples wanted per label when a caller does not say (the reference study's 100).</summary>
    public const int DefaultPerClass = 100;

    public IReadOnlyList<Example> EnglishTrainingData { get; init; } = [];

    public IReadOnlyList<Example> TargetTrainingData { get; init; } = [];

    /// <summary>Replaces the random selection of demonstrations (e.g. a diversity-based selector over the same pool).</summary>
    public IDemonstrationSelector? DemonstrationSelector { get; init; }

    /// <summary>Label descriptions written earlier (describe-labels); matching ones are reused instead of asking again.</summary>
    public IReadOnlyList<LabelDescription> KnownDescriptions { get; init; } = [];

    public string? OutputDirectory { get; init; }

    /// <summary>The language's name in prompts, when it should differ from the registry's English name (--language-name).</summary>
    public string? LanguageName { get; init; }

    public GenerationOptions Options { get; init; } = new();
}

/// <summary>The accepted examples (at most N per class), every example's record, the label descriptions used and the report.</summary>
public sealed record GenerationResult(
    IReadOnlyList<Example> Accepted,
    IReadOnlyList<GeneratedExampleRecord> Records,
    IReadOnlyList<LabelDescription> Descriptions,
    GenerationReport Report);
