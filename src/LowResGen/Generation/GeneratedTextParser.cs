using System.Text.Json;
using System.Text.RegularExpressions;

namespace LowResGen.Generation;

/// <summary>One item split out of a raw answer: a candidate example, or something dropped with the reason.</summary>
public sealed record ParsedItem(string Text, string? Problem)
{
    public bool IsCandidate => Problem is null;
}

/// <summary>
/// Splits a model's raw answer into candidate examples: one per line, a JSON array, or a numbered list written on one line.
/// Numbering and bullets are stripped, and quotes only where they enclose the whole item: an apostrophe inside a word is
/// text (Welsh "wedi'i", "mae'n"). Preambles ("Here are 12 examples:") and comments are dropped, and so is the last item
/// when the answer stopped at the token limit, because it is likely cut.
/// </summary>
public static partial class GeneratedTextParser
{
    public const string Preamble = "preamble or comment";
    public const string CutByTokenLimit = "cut by the token limit";

    private static readonly (char Open, char Close)[] QuotePairs =
    [
        ('"', '"'), ('\'', '\''), ('“', '”'), ('„', '“'), ('„', '”'), ('”', '”'), ('‘', '’'), ('«', '»'), ('»', '«'),
        ('「', '」'), ('『', '』'), ('`', '`'),
    ];

    public static IReadOnlyList<ParsedItem> Parse(string raw, bool cutByTokenLimit)
    {
        var text = ThinkBlock().Replace(raw ?? "", "").Trim();
        var items = TryJson(text) ?? SplitLines(text);
        if (cutByTokenLimit)
        {
            var last = items.FindLastIndex(i => i.IsCandidate);
            if (last >= 0)
            {
                items[last] = items[last] with { Problem = CutByTokenLimit };
            }
        }

        return items;
    }

    /// <summary>Removes enclosing quotes (one matching pair around the whole text) and the comma a JSON-ish line leaves.</summary>
    public static string StripEnclosingQuotes(string text)
    {
        var t = text.Trim();
        if (t.Length >= 3 && t[^1] == ',' && IsOpeningQuote(t[0]))
        {
            t = t[..^1].TrimEnd();
        }

        foreach (var (open, close) in QuotePairs)
        {
            if (t.Length >= 2 && t[0] == open && t[^1] == close)
            {
                return t[1..^1].Trim();
            }
        }

        return t;
    }

    private static bool IsOpeningQuote(char c) => QuotePairs.Any(p => p.Open == c);

    private static List<ParsedItem>? TryJson(string text)
    {
        var body = CodeFence().Replace(text, "").Trim();
        var start = body.IndexOfAny(['[', '{']);
        if (start < 0 || body[..start].Trim().Length > 0 && !body[..start].TrimEnd().EndsWith(':'))
        {
            return null;
        }

        var end = body.LastIndexOf(body[start] == '[' ? ']' : '}');
        if (end > start)
        {
            try
            {
                using var document = JsonDocument.Parse(body[start..(end + 1)]);
                var array = document.RootElement;
                if (array.ValueKind == JsonValueKind.Object)
                {
                    // {"examples": [...]}: the first property holding an array.
                    array = array.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.Array);
                }

                if (array.ValueKind == JsonValueKind.Array)
                {
                    var items = new List<ParsedItem>();
                    foreach (var element in array.EnumerateArray())
                    {
                        var value = element.ValueKind switch
                        {
                            JsonValueKind.String => element.GetString(),
                            JsonValueKind.Object when element.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String => t.GetString(),
                            _ => null,
                        };
                        if (!string.IsNullOrWhiteSpace(value))
                        {
                            items.Add(new ParsedItem(StripEnclosingQuotes(value), null));
                        }
                    }

                    return items;
                }
            }
            catch (JsonException)
            {
                // Not valid JSON after all: fall through to the string literals, or to lines.
            }
        }

        // JSON cut short (no closing bracket, or broken): take the complete string literals that are list items.
        var literals = JsonStringLiteral().Matches(body[start..]);
        var salvaged = new List<ParsedItem>();
        foreach (Match literal in literals)
        {
            var after = body[start..].AsSpan(literal.Index + literal.Length).TrimStart();
            if (after.StartsWith(":"))
            {
                continue; // a property name such as "examples"
            }

            try
            {
                var value = JsonSerializer.Deserialize<string>(literal.Value);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    salvaged.Add(new ParsedItem(StripEnclosingQuotes(value), null));
                }
            }
            catch (JsonException)
            {
                // A malformed literal is skipped; the others still count.
            }
        }

        return salvaged.Count > 0 ? salvaged : null;
    }

    private static List<ParsedItem> SplitLines(string text)
    {
        var pieces = new List<(string Text, bool Marked)>();
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var piece in SplitInlineList(line))
            {
                var marker = ListMarker().Match(piece);
                var content = marker.Success ? piece[marker.Length..] : piece;
                content = TranslationNote().Replace(content, "");
                content = StripEnclosingQuotes(StripMarkdownEmphasis(content));
                if (content.Length > 0)
                {
                    pieces.Add((content, marker.Success));
                }
            }
        }

        // In a numbered or bulleted answer, unnumbered lines are the model talking about the list, not examples.
        var isList = pieces.Count(p => p.Marked) >= 2;
        return
        [
            .. pieces.Select(p => new ParsedItem(p.Text,
                (isList && !p.Marked) || LooksLikePreamble(p.Text) ? Preamble : null)),
        ];
    }

    private static bool LooksLikePreamble(string text) =>
        text.EndsWith(':') || PreambleStart().IsMatch(text);

    /// <summary>"1. a 2. b 3. c" on one line becomes its items (numbers must run 1, 2, 3...); text before "1." is kept as its own piece.</summary>
    private static IEnumerable<string> SplitInlineList(string line)
    {
        var matches = InlineNumber().Matches(line);
        var starts = new List<int>();
        var expected = 1;
        foreach (Match match in matches)
        {
            if (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == expected)
            {
                starts.Add(match.Groups[1].Index);
                expected++;
            }
        }

        if (starts.Count >= 2)
        {
            if (starts[0] > 0)
            {
                yield return line[..starts[0]].Trim();
            }

            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1] : line.Length;
                yield return line[starts[i]..end].Trim();
            }

            yield break;
        }

        var bullets = line.Split('•', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (bullets.Length >= 2 && line.Count(c => c == '•') >= 2)
        {
            foreach (var bullet in bullets)
            {
                yield return "• " + bullet;
            }

            yield break;
        }

        yield return line;
    }

    private static string StripMarkdownEmphasis(string text) =>
        text.Length > 4 && text.StartsWith("**", StringComparison.Ordinal) && text.EndsWith("**", StringComparison.Ordinal)
            ? text[2..^2].Trim()
            : text;

    [GeneratedRegex(@"<think>.*?</think>", RegexOptions.Singleline)]
    private static partial Regex ThinkBlock();

    [GeneratedRegex(@"^```[a-zA-Z]*\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeFence();

    [GeneratedRegex(@"""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex JsonStringLiteral();

    // "1." "1)" "(1)" "1:" bullets "-" "*" "•" and "Example 3:" at the start of a line.
    [GeneratedRegex(@"^(?:\(?\d{1,3}[.):]|[-*•‣◦▪–—]|(?i:example|text|sentence)\s*\d{1,3}\s*[:.)-])\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"(?:^|(?<=[\s:]))(\d{1,3})[.)]\s+")]
    private static partial Regex InlineNumber();

    [GeneratedRegex(@"\s*\((?i:translation|translated|in english|english)\s*:[^)]*\)\s*$")]
    private static partial Regex TranslationNote();

    [GeneratedRegex(@"^(?i:here (?:are|is)\b|sure\b|certainly\b|of course\b|okay\b|below (?:are|is)\b|the following\b|i hope\b|note:|translation:|english:|in english:|these examples\b)")]
    private static partial Regex PreambleStart();
}
