using System.Globalization;
using System.Text;
using LowResGen.Data;
using LowResGen.Evaluation;

namespace LowResGen.Generation;

/// <summary>Accepted example length in characters (text elements, so Thai or Telugu combining marks are not counted apart).</summary>
public sealed record LengthRange(int MinCharacters, int MaxCharacters)
{
    /// <summary>Defaults per kind of task: short commands for intents, full sentences for topics, reviews for sentiment.</summary>
    public static LengthRange DefaultFor(TaskDefinition task) => task.LabelKind switch
    {
        "intent" => new LengthRange(6, 200),
        "topic" => new LengthRange(20, 500),
        "sentiment" => new LengthRange(10, 1000),
        _ => new LengthRange(3, 1000),
    };

    public bool Contains(string text) => Length(text) is var n && n >= MinCharacters && n <= MaxCharacters;

    public static int Length(string text) => new StringInfo(text).LengthInTextElements;

    public override string ToString() => $"{MinCharacters}-{MaxCharacters} characters";
}

/// <summary>
/// Remembers the texts of one class and tells exact and normalized duplicates apart (case, punctuation, spacing and
/// Unicode compatibility forms ignored), across all attempts, including texts rejected at later stages.
/// Not thread-safe: one class is processed by one task at a time.
/// </summary>
public sealed class DuplicateTracker
{
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly HashSet<string> _normalized = new(StringComparer.Ordinal);

    /// <summary>Null when new (and now remembered); otherwise why it is a duplicate.</summary>
    public string? Check(string text)
    {
        if (!_exact.Add(text))
        {
            return "exact duplicate";
        }

        return _normalized.Add(Normalize(text)) ? null : "normalized duplicate";
    }

    public static string Normalize(string text) =>
        TextNormalization.Reference.Apply(text.Normalize(NormalizationForm.FormKC));
}
