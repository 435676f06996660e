using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LowResGen.Llm;

/// <summary>
/// GBNF grammars (llama.cpp's grammar format) for the structured outputs the library asks for: one of a fixed set of
/// strings, any JSON object, or JSON that follows a simple JSON schema.
/// </summary>
public static class GbnfGrammars
{
    /// <summary>Whitespace is bounded so that a random or confused model cannot pad forever.</summary>
    private const string Common =
        """
        ws ::= [ \t\n]{0,4}
        string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} ) )* "\"" ws
        number ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )? ws
        integer ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ws
        boolean ::= ( "true" | "false" ) ws
        null ::= "null" ws
        value ::= object | array | string | number | boolean | null
        object ::= "{" ws ( string ":" ws value ( "," ws string ":" ws value )* )? "}" ws
        array ::= "[" ws ( value ( "," ws value )* )? "]" ws
        """;

    /// <summary>Any JSON object.</summary>
    public static string Json { get; } = "root ::= object\n" + Common;

    /// <summary>Exactly one of <paramref name="choices"/>, nothing before or after.</summary>
    public static string Choices(IReadOnlyList<string> choices)
    {
        if (choices.Count == 0)
        {
            throw new ArgumentException("At least one choice is needed.", nameof(choices));
        }

        return "root ::= " + string.Join(" | ", choices.Distinct(StringComparer.Ordinal).Select(Literal)) + "\n";
    }

    /// <summary>
    /// A grammar for JSON that follows <paramref name="schema"/>. Understands the common subset: object (properties in
    /// declared order; all of them are written), array with items, string, number, integer, boolean, null, enum and const.
    /// Anything else falls back to an unconstrained JSON value at that place, so the output is always valid JSON.
    /// </summary>
    public static string FromJsonSchema(JsonElement schema)
    {
        var rules = new List<string>();
        var root = Rule(schema, rules, "root-value");
        return $"root ::= {root}\n" + string.Join("\n", rules) + "\n" + Common;
    }

    private static string Rule(JsonElement schema, List<string> rules, string name)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "value";
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return JsonLiteral(constant);
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            return "( " + string.Join(" | ", values.EnumerateArray().Select(JsonLiteral)) + " )";
        }

        var type = schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "string":
                return "string";
            case "number":
                return "number";
            case "integer":
                return "integer";
            case "boolean":
                return "boolean";
            case "null":
                return "null";
            case "array":
                var item = schema.TryGetProperty("items", out var items) ? Rule(items, rules, name + "-item") : "value";
                return $"( \"[\" ws ( {item} ( \",\" ws {item} )* )? \"]\" ws )";
            case "object" when schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object:
                var parts = new List<string>();
                foreach (var property in properties.EnumerateObject())
                {
                    var ruleName = $"{name}-{Sanitize(property.Name)}";
                    var valueRule = Rule(property.Value, rules, ruleName);
                    parts.Add($"{Literal(JsonSerializer.Serialize(property.Name))} ws \":\" ws {valueRule}");
                }

                var body = parts.Count == 0 ? "" : string.Join(" \",\" ws ", parts);
                rules.Add($"{name} ::= \"{{\" ws {body} \"}}\" ws");
                return name;
            case "object":
                return "object";
            default:
                return "value";
        }
    }

    private static string JsonLiteral(JsonElement value) => Literal(value.GetRawText()) + " ws";

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        return builder.Length == 0 ? "p" : builder.ToString();
    }

    /// <summary>A GBNF string literal matching <paramref name="text"/> exactly.</summary>
    public static string Literal(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case < ' ':
                    builder.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
