using System.Globalization;
using System.Text;
using LowResGen.Data;

namespace LowResGen.Common;

/// <summary>Whether a text passed the language check, what was detected (a language code or a script) and why it failed.</summary>
public sealed record LanguageVerdict(bool Accepted, string? Detected, double Confidence, string? Reason);

/// <summary>
/// The language check of generated examples for one target language. <see cref="Method"/> says which check runs, for
/// reports: "lingua" (the target is a language Lingua knows), "script:Ethi" (the share of letters in the script of its
/// FLORES code, for languages Lingua does not know), "none", or "off" (--no-language-check). Every method but "off" rejects control characters and U+FFFD; "off" still rejects NUL,
/// which no data file may hold.
/// </summary>
public sealed class LanguageCheck
{
    /// <summary>Share of a text's letters that must be in the target script.</summary>
    public const double ScriptShare = 0.8;

    private readonly Language _target;
    private readonly ILanguageIdentifier? _identifier;
    private readonly IReadOnlyList<(int First, int Last)> _ranges;

    private LanguageCheck(Language target, ILanguageIdentifier? identifier, IReadOnlyList<(int First, int Last)> ranges, string method)
    {
        _target = target;
        _identifier = identifier;
        _ranges = ranges;
        Method = method;
    }

    public string Method { get; }

    /// <summary>What <see cref="Method"/> means, in words, for warnings and the README.</summary>
    public string Description => Method switch
    {
        "lingua" => $"Lingua language identification ({_target.EnglishName})",
        "none" => "no language check (only control characters and U+FFFD are rejected)",
        "off" => "language checking turned off (only NUL is rejected)",
        _ => $"script check: at least {ScriptShare:P0} of the letters in {LanguageRegistry.Default.ScriptName(_target.Script)} " +
             $"(Lingua does not know {_target.EnglishName})",
    };

    /// <summary>
    /// The check for a target: Lingua when <paramref name="identifier"/> knows the language, else a script check when the
    /// language's script is known, else none. A null identifier means the user turned language checking off.
    /// </summary>
    public static LanguageCheck For(Language target, ILanguageIdentifier? identifier)
    {
        if (identifier is null)
        {
            // The user turned checking off (--no-language-check): not even broken characters are judged.
            return new LanguageCheck(target, null, [], "off");
        }

        if (identifier.Supports(target.Code))
        {
            return new LanguageCheck(target, identifier, [], "lingua");
        }

        var ranges = target.Script.Length > 0 ? LanguageRegistry.Default.ScriptRanges(target.Script) : [];
        return ranges.Count > 0
            ? new LanguageCheck(target, null, ranges, "script:" + target.Script)
            : new LanguageCheck(target, null, [], "none");
    }

    public LanguageVerdict Check(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Method == "off")
        {
            // Even unchecked, a NUL stays out: the data readers refuse a file that holds one, so it would be written and
            // then be unreadable (a random model's tokens do produce it).
            return text.Contains('\0', StringComparison.Ordinal)
                ? new LanguageVerdict(false, null, 0, "contains U+0000 (NUL), which no data file may hold")
                : new LanguageVerdict(true, null, 0, null);
        }

        if (BadCharacter(text) is { } bad)
        {
            return new LanguageVerdict(false, null, 0, bad);
        }

        if (_identifier is not null)
        {
            var guess = _identifier.Identify(text);
            var confidence = Math.Round(guess.Confidence, 4);
            if (guess.Code is null)
            {
                return new LanguageVerdict(false, null, 0, $"Lingua could not identify the language (confidence 0), expected {_target.Code}");
            }

            return string.Equals(guess.Code, _target.Code, StringComparison.OrdinalIgnoreCase)
                ? new LanguageVerdict(true, guess.Code, confidence, null)
                : new LanguageVerdict(false, guess.Code, confidence,
                    $"detected {guess.Code} ({guess.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}), expected {_target.Code}");
        }

        if (_ranges.Count == 0)
        {
            return new LanguageVerdict(true, null, 0, null);
        }

        var (letters, inScript) = (0, 0);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune))
            {
                continue;
            }

            letters++;
            if (InRanges(rune.Value))
            {
                inScript++;
            }
        }

        var share = letters == 0 ? 0 : (double)inScript / letters;
        var rounded = Math.Round(share, 4);
        return share >= ScriptShare
            ? new LanguageVerdict(true, _target.Script, rounded, null)
            : new LanguageVerdict(false, null, rounded, letters == 0
                ? "no letters"
                : $"{share.ToString("P0", CultureInfo.InvariantCulture)} of the letters in {_target.Script}, expected at least {ScriptShare.ToString("P0", CultureInfo.InvariantCulture)}");
    }

    private bool InRanges(int codePoint)
    {
        foreach (var (first, last) in _ranges)
        {
            if (codePoint >= first && codePoint <= last)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Control characters (other than tab and newline) and the replacement character mark broken output in any language.</summary>
    private static string? BadCharacter(string text)
    {
        foreach (var c in text)
        {
            if (c == '\uFFFD')
            {
                return "contains U+FFFD (a replacement character: broken encoding)";
            }

            if (char.IsControl(c) && c is not ('\n' or '\t'))
            {
                return $"contains the control character U+{(int)c:X4}";
            }
        }

        return null;
    }
}
