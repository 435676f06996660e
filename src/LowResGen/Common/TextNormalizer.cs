using System.Globalization;
using System.Text;

namespace LowResGen.Common;

/// <summary>
/// The one normalized form of a text that generation, translation and curation compare (duplicates, shingles, words):
/// Unicode compatibility composition (NFKC, so full-width letters, ligatures and composed/decomposed accents are one
/// text), punctuation and symbols replaced by spaces, spaces collapsed, lower-cased.
/// </summary>
public static class TextNormalizer
{
    /// <summary>The comparison key of a text.</summary>
    public static string Key(string text) => StripPunctuation(text.Normalize(NormalizationForm.FormKC)).ToLowerInvariant();

    /// <summary>Punctuation and symbols replaced by a space, runs of spaces collapsed, ends trimmed.</summary>
    public static string StripPunctuation(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var isPunctuation = category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol
                or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
            builder.Append(isPunctuation ? " " : rune.ToString());
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
