using System.Globalization;
using System.Text;

namespace LowResGen.Evaluation;

/// <summary>Optional text normalization of the reference protocol: lower-case and strip punctuation.</summary>
public sealed record TextNormalization(bool Lowercase, bool StripPunctuation)
{
    public static TextNormalization None { get; } = new(false, false);

    public static TextNormalization Reference { get; } = new(true, true);

    public string Apply(string text)
    {
        if (StripPunctuation)
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

            text = string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return Lowercase ? text.ToLowerInvariant() : text;
    }
}
