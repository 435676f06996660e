using System.Text.Json.Serialization;

namespace LowResGen.Export;

/// <summary>
/// One row of an exported Parquet dataset: the text, its label value and language, and where it came from. The
/// provenance columns are null for rows no generation run recorded (a gold file, or a row edited by hand).
/// </summary>
public sealed record DatasetRow
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("text")]
    public string Text { get; init; } = "";

    /// <summary>The label value as the data files store it (the card lists the values and their display names).</summary>
    [JsonPropertyName("label")]
    public string Label { get; init; } = "";

    [JsonPropertyName("language")]
    public string Language { get; init; } = "";

    /// <summary>The gold file, or <c>lowresgen:{strategy}:{model}</c> for a generated row.</summary>
    [JsonPropertyName("source")]
    public string Source { get; init; } = "";

    [JsonPropertyName("strategy")]
    public string? Strategy { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("template_version")]
    public string? TemplateVersion { get; init; }

    [JsonPropertyName("prompt_hash")]
    public string? PromptHash { get; init; }

    /// <summary>The ids of the demonstrations in the prompt, comma-separated (empty for zero-shot prompts).</summary>
    [JsonPropertyName("demonstration_ids")]
    public string? DemonstrationIds { get; init; }

    [JsonPropertyName("judge_verdict")]
    public string? JudgeVerdict { get; init; }

    /// <summary>When the example was generated, ISO 8601 in UTC (a string: every Parquet reader agrees on it).</summary>
    [JsonPropertyName("created_utc")]
    public string? CreatedUtc { get; init; }
}
