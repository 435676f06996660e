using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LowResGen.LlmClassification;

/// <summary>JSON-schema answers over a label set: the response format that asks for one, and reading the label back.</summary>
public static class LabelJsonSchema
{
    /// <summary>An object with one required property "label" whose value is one of the labels.</summary>
    public static ChatResponseFormat ResponseFormat(IReadOnlyList<string> labels)
    {
        var schema = new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object>
            {
                ["label"] = new Dictionary<string, object> { ["type"] = "string", ["enum"] = labels },
            },
            ["required"] = new[] { "label" },
            ["additionalProperties"] = false,
        };
        return ChatResponseFormat.ForJsonSchema(JsonSerializer.SerializeToElement(schema), "classification", "One label of the task.");
    }

    /// <summary>The "label" of a JSON answer, or null when the answer is not such an object.</summary>
    public static string? LabelFromJson(string answer)
    {
        var trimmed = answer.Trim();
        if (!trimmed.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String
                ? label.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
