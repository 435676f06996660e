using System.Globalization;

namespace LowResGen.Common;

/// <summary>
/// The one length rule of generation, translation and curation: a text's length is its number of characters counted as
/// text elements (grapheme clusters, so Thai or Telugu combining marks are not counted apart from their letter). Not
/// words: Thai writes no spaces between words, so a word count would call every Thai sentence one word long.
/// </summary>
public sealed record LengthRange(int MinCharacters, int MaxCharacters)
{
    /// <summary>Defaults per kind of label: short commands for intents, full sentences for topics, reviews for sentiment.</summary>
    public static LengthRange DefaultFor(string labelKind) => labelKind switch
    {
        "intent" => new LengthRange(6, 200),
        "topic" => new LengthRange(20, 500),
        "sentiment" => new LengthRange(10, 1000),
        _ => new LengthRange(3, 1000),
    };

    public bool Contains(string text) => Length(text) is var n && n >= MinCharacters && n <= MaxCharacters;

    /// <summary>Characters as text elements.</summary>
    public static int Length(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>Why the text is outside the range, or null when it is inside.</summary>
    public string? Problem(string text) =>
        Contains(text) ? null : $"{Length(text)} characters, outside {this}";

    public override string ToString() => $"{MinCharacters}-{MaxCharacters} characters";
}
