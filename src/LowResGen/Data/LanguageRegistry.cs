namespace LowResGen.Data;

/// <summary>One language under the codes the datasets use for it.</summary>
public sealed record Language(
    string Iso1,
    string Iso3,
    string MassiveLocale,
    string FloresCode,
    string EnglishName)
{
    /// <summary>A data path with {lang}, {iso3}, {locale} and {flores} replaced by this language's codes.</summary>
    public string ExpandPath(string template) => template
        .Replace("{lang}", Iso1, StringComparison.Ordinal).Replace("{iso3}", Iso3, StringComparison.Ordinal)
        .Replace("{locale}", MassiveLocale, StringComparison.Ordinal).Replace("{flores}", FloresCode, StringComparison.Ordinal);
}

/// <summary>
/// Maps between ISO 639-1/639-3 codes, MASSIVE locales (cy-GB), FLORES-200 codes (cym_Latn) and English names.
/// </summary>
public sealed class LanguageRegistry
{
    private readonly Dictionary<string, Language> _byKey;

    public LanguageRegistry(IEnumerable<Language> languages)
    {
        All = languages.ToArray();
        _byKey = new Dictionary<string, Language>(StringComparer.OrdinalIgnoreCase);
        foreach (var language in All)
        {
            foreach (var key in Keys(language))
            {
                _byKey.TryAdd(key, language);
            }
        }
    }

    public IReadOnlyList<Language> All { get; }

    /// <summary>The 11 languages of the reference study, plus a few common neighbours.</summary>
    public static LanguageRegistry Default { get; } = new(
    [
        new("en", "eng", "en-US", "eng_Latn", "English"),
        new("de", "deu", "de-DE", "deu_Latn", "German"),
        new("th", "tha", "th-TH", "tha_Thai", "Thai"),
        new("he", "heb", "he-IL", "heb_Hebr", "Hebrew"),
        new("id", "ind", "id-ID", "ind_Latn", "Indonesian"),
        new("sw", "swh", "sw-KE", "swh_Latn", "Swahili"),
        new("ro", "ron", "ro-RO", "ron_Latn", "Romanian"),
        new("az", "azj", "az-AZ", "azj_Latn", "Azerbaijani"),
        new("sl", "slv", "sl-SL", "slv_Latn", "Slovenian"),
        new("te", "tel", "te-IN", "tel_Telu", "Telugu"),
        new("cy", "cym", "cy-GB", "cym_Latn", "Welsh"),
        new("fr", "fra", "fr-FR", "fra_Latn", "French"),
        new("es", "spa", "es-ES", "spa_Latn", "Spanish"),
        new("hi", "hin", "hi-IN", "hin_Deva", "Hindi"),
        new("am", "amh", "am-ET", "amh_Ethi", "Amharic"),
    ]);

    /// <summary>The 11 languages of the reference study, in its order.</summary>
    public static IReadOnlyList<string> ReferenceLanguages { get; } =
        ["en", "de", "th", "he", "id", "sw", "ro", "az", "sl", "te", "cy"];

    public bool TryResolve(string code, out Language language)
    {
        if (_byKey.TryGetValue(code.Trim(), out var found))
        {
            language = found;
            return true;
        }

        language = null!;
        return false;
    }

    /// <summary>Resolves any known code or English name, or throws naming the unknown code.</summary>
    public Language Resolve(string code) =>
        TryResolve(code, out var language)
            ? language
            : throw new ArgumentException(
                $"Unknown language '{code}'. Known: {string.Join(", ", All.Select(l => l.Iso1))} (ISO 639-1/3, MASSIVE locale, FLORES code or English name).",
                nameof(code));

    private static IEnumerable<string> Keys(Language l)
    {
        yield return l.Iso1;
        yield return l.Iso3;
        yield return l.MassiveLocale;
        yield return l.MassiveLocale.Replace('-', '_');
        yield return l.FloresCode;
        yield return l.EnglishName;
        // SIB-200 and FLORES also use the macrolanguage codes (swa for Swahili, aze for Azerbaijani).
        if (l.Iso3 == "swh")
        {
            yield return "swa";
        }

        if (l.Iso3 == "azj")
        {
            yield return "aze";
        }
    }
}
