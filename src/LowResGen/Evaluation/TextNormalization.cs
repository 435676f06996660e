using LowResGen.Common;

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
            text = TextNormalizer.StripPunctuation(text);
        }

        return Lowercase ? text.ToLowerInvariant() : text;
    }
}
