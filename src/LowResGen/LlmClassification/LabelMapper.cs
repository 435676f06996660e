using System.Globalization;
using System.Text;
using LowResGen.Data;

namespace LowResGen.LlmClassification;

/// <summary>The label an answer was mapped to (null: the answer names no label) and every label it mentions, in order.</summary>
public sealed record LabelMatch(string? Label, IReadOnlyList<string> Mentioned)
{
    public bool IsMapped => Label is not null;

    public static LabelMatch None { get; } = new(null, []);
}

/// <summary>
/// Maps an LLM's free-text answer to one label of a task, without an LLM: label names in any casing, with underscores,
/// spaces, slashes or "and" between their words ("science/technology", "Science and Technology"), plurals, the task's
/// synonyms; the first label mentioned wins. A list that merely repeats most of the label set ("none of science/technology,
/// travel, politics, sports...") is an echo of the prompt, not an answer, and is ignored.
/// </summary>
public sealed class LabelMapper
{
    private static readonly HashSet<string> ListConnectors = new(StringComparer.Ordinal) { "and", "or", "&" };

    private readonly TaskDefinition task;
    private readonly Pattern[] patterns;
    private readonly int echoThreshold;

    public LabelMapper(TaskDefinition task, IReadOnlyDictionary<string, IReadOnlyList<string>>? synonyms = null)
    {
        this.task = task;
        synonyms ??= LabelSynonyms.For(task);
        var list = new List<Pattern>();
        foreach (var label in task.Labels)
        {
            var words = Tokenize(label).ToArray();
            if (words.Length == 0)
            {
                continue;
            }

            list.Add(new Pattern(words, label));
            if (words.Length > 1)
            {
                list.Add(new Pattern([string.Concat(words)], label));
                list.Add(new Pattern([.. words[..^1], "and", words[^1]], label));
            }
        }

        foreach (var (label, phrases) in synonyms)
        {
            if (!task.HasLabel(label))
            {
                continue;
            }

            list.AddRange(phrases.Select(p => Tokenize(p).ToArray())
                .Where(words => words.Length > 0)
                .Select(words => new Pattern(words, label)));
        }

        // Longest first, so "science and technology" beats "science" at the same position.
        patterns = [.. list.OrderByDescending(p => p.Words.Length)];
        echoThreshold = Math.Max(3, task.Labels.Count / 2 + 1);
    }

    public LabelMatch Map(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return LabelMatch.None;
        }

        var trimmed = answer.Trim().Trim('"', '\'', '.', '*', '`', ' ');
        foreach (var label in task.Labels)
        {
            if (string.Equals(trimmed, label, StringComparison.OrdinalIgnoreCase))
            {
                return new LabelMatch(label, [label]);
            }
        }

        var tokens = Tokenize(answer);
        var matches = FindMatches(tokens);
        DropPromptEchoes(tokens, matches);
        var mentioned = matches.Select(m => m.Label).Distinct(StringComparer.Ordinal).ToArray();
        return mentioned.Length == 0 ? LabelMatch.None : new LabelMatch(mentioned[0], mentioned);
    }

    private List<Match> FindMatches(IReadOnlyList<string> tokens)
    {
        var matches = new List<Match>();
        var covered = -1;
        for (var start = 0; start < tokens.Count; start++)
        {
            if (start <= covered)
            {
                continue;
            }

            foreach (var pattern in patterns)
            {
                if (MatchesAt(tokens, start, pattern.Words))
                {
                    matches.Add(new Match(start, start + pattern.Words.Length - 1, pattern.Label));
                    covered = start + pattern.Words.Length - 1;
                    break;
                }
            }
        }

        return matches;
    }

    private static bool MatchesAt(IReadOnlyList<string> tokens, int start, string[] words)
    {
        if (start + words.Length > tokens.Count)
        {
            return false;
        }

        for (var i = 0; i < words.Length; i++)
        {
            var token = tokens[start + i];
            var word = words[i];
            var plural = word.Length >= 3 && token.Length == word.Length + 1 && token[^1] == 's' && token.StartsWith(word, StringComparison.Ordinal);
            if (!plural && !string.Equals(token, word, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Removes runs of adjacent mentions (joined only by commas, "and", "or") that name most of the labels.</summary>
    private void DropPromptEchoes(IReadOnlyList<string> tokens, List<Match> matches)
    {
        var runStart = 0;
        for (var i = 1; i <= matches.Count; i++)
        {
            var continues = i < matches.Count && OnlyConnectorsBetween(tokens, matches[i - 1].End, matches[i].Start);
            if (continues)
            {
                continue;
            }

            var distinct = matches.Skip(runStart).Take(i - runStart).Select(m => m.Label).Distinct(StringComparer.Ordinal).Count();
            if (distinct >= echoThreshold)
            {
                matches.RemoveRange(runStart, i - runStart);
                i = runStart;
            }

            runStart = i;
        }
    }

    private static bool OnlyConnectorsBetween(IReadOnlyList<string> tokens, int previousEnd, int nextStart)
    {
        for (var t = previousEnd + 1; t < nextStart; t++)
        {
            if (!ListConnectors.Contains(tokens[t]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Lower-cased runs of letters, digits and combining marks; "&amp;" is kept as a word of its own.</summary>
    internal static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var isWordPart = Rune.IsLetterOrDigit(rune) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (isWordPart)
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }

            Flush();
            if (rune.Value == '&')
            {
                tokens.Add("&");
            }
        }

        Flush();
        return tokens;

        void Flush()
        {
            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private sealed record Pattern(string[] Words, string Label);

    private readonly record struct Match(int Start, int End, string Label);
}
