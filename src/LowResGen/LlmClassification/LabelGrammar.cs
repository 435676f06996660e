using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LowResGen.LlmClassification;

/// <summary>Output constraints over a label set: a GBNF grammar for llama.cpp-style backends and a JSON schema for served ones.</summary>
public static class LabelGrammar
{
    /// <summary><c>root ::= "a" | "b" | ...</c>, with quotes and backslashes escaped.</summary>
    public static string Gbnf(IReadOnlyList<string> labels) =>
        "root ::= " + string.Join(" | ", labels.Select(l => "\"" + EscapeGbnf(l) + "\""));

    /// <summary>An object with one required property "label" whose value is one of the labels.</summary>
    public static ChatResponseFormat JsonSchema(IReadOnlyList<string> labels)
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

    private static string EscapeGbnf(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
