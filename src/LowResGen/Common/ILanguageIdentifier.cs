namespace LowResGen.Common;

/// <summary>The language detected for a text (ISO 639-1 or the registry's code, null when undecided) and the detector's confidence in [0, 1].</summary>
public sealed record LanguageGuess(string? Code, double Confidence);

/// <summary>Detects the language of short texts. Thread-safe.</summary>
public interface ILanguageIdentifier
{
    /// <summary>Whether this detector knows the language at all; unknown languages must not be filtered.</summary>
    bool Supports(string iso1);

    LanguageGuess Identify(string text);
}
