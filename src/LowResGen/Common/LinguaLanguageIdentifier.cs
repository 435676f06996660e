using Lingua;
using LowResGen.Data;
using LinguaLanguage = Lingua.Language;

namespace LowResGen.Common;

/// <summary>
/// Language identification with Lingua (SearchPioneer.Lingua). The detector is built once for a fixed set of candidate
/// languages (the 11 reference languages by default): a small candidate set is both faster and more accurate on short texts
/// than all 79 Lingua languages. Thread-safe; build one and share it.
/// </summary>
public sealed class LinguaLanguageIdentifier : ILanguageIdentifier
{
    private readonly LanguageDetector _detector;
    private readonly HashSet<string> _supported;

    /// <param name="iso1Codes">Candidate languages (any code the <see cref="LanguageRegistry"/> knows, or an ISO 639-1 code
    /// Lingua knows); null means <see cref="LanguageRegistry.ReferenceLanguages"/>. Codes Lingua cannot detect are ignored
    /// (and <see cref="Supports"/> is false for them), so that a language without a model is never filtered.</param>
    /// <param name="preload">Load every language model now rather than on first use (steadier latency, more memory).</param>
    /// <param name="modelsDirectory">Lingua's <c>LanguageModels</c> folder, from <see cref="LinguaModelStore.LocateAsync"/>;
    /// null = beside the application, where a build has them.</param>
    public LinguaLanguageIdentifier(IEnumerable<string>? iso1Codes = null, bool preload = false, string? modelsDirectory = null)
    {
        var languages = (iso1Codes ?? LanguageRegistry.ReferenceLanguages)
            .Select(ToLingua)
            .Where(l => l is not null)
            .Select(l => l!.Value)
            .Distinct()
            .ToArray();
        if (languages.Length == 0)
        {
            throw new ArgumentException("None of the given languages is supported by Lingua.", nameof(iso1Codes));
        }

        // Lingua needs at least two candidates; a single one would make every text "in the language".
        if (languages.Length == 1)
        {
            languages = [.. languages, languages[0] == LinguaLanguage.English ? LinguaLanguage.German : LinguaLanguage.English];
        }

        var builder = LanguageDetectorBuilder.FromLanguages(languages);
        if (preload)
        {
            builder = builder.WithPreloadedLanguageModels();
        }

        if (modelsDirectory is not null)
        {
            builder = builder.WithLanguageModelsDirectory(modelsDirectory);
        }

        _detector = builder.Build();
        _supported = new HashSet<string>(languages.Select(ToIso1), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Detector for the given languages plus the reference languages, so that a line in any of them is recognised.</summary>
    /// <param name="modelsDirectory">As for the constructor: null = beside the application.</param>
    public static LinguaLanguageIdentifier ForTarget(string targetLanguage, string? modelsDirectory = null) =>
        new(LanguageRegistry.ReferenceLanguages.Append(NormalizeCode(targetLanguage)), modelsDirectory: modelsDirectory);

    /// <summary>The ISO 639-1 codes this detector chooses among.</summary>
    public IReadOnlyCollection<string> Languages => _supported;

    /// <summary>Whether Lingua has a model for the language at all (independent of this detector's candidate set).</summary>
    public static bool LinguaKnows(string code) => ToLingua(code) is not null;

    public bool Supports(string iso1) => _supported.Contains(NormalizeCode(iso1));

    public LanguageGuess Identify(string text)
    {
        var confidences = ConfidenceValues(text);
        var best = confidences.Count > 0 ? confidences[0] : default;
        return best.Value > 0 ? new LanguageGuess(best.Key, best.Value) : new LanguageGuess(null, 0);
    }

    /// <summary>Confidence of every candidate language (ISO 639-1), highest first, summing to 1 (all 0 when undecidable).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> ConfidenceValues(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. _detector.ComputeLanguageConfidenceValues(text)
            .Select(kv => new KeyValuePair<string, double>(ToIso1(kv.Key), kv.Value))
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)];
    }

    /// <summary>The confidence that the text is in the given language (0 when the language is not a candidate).</summary>
    public double ConfidenceOf(string text, string iso1)
    {
        var code = NormalizeCode(iso1);
        foreach (var (language, value) in ConfidenceValues(text))
        {
            if (string.Equals(language, code, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return 0;
    }

    private static string ToIso1(LinguaLanguage language) => LanguageInfo.IsoCode6391(language).ToString().ToLowerInvariant();

    private static string NormalizeCode(string code) =>
        LanguageRegistry.Default.TryResolve(code, out var known) ? known.Code : code.Trim().ToLowerInvariant();

    private static LinguaLanguage? ToLingua(string code)
    {
        var iso1 = NormalizeCode(code);
        if (iso1.Length != 2 || !Enum.TryParse<IsoCode6391>(iso1, ignoreCase: true, out var iso) || iso == IsoCode6391.None)
        {
            return null;
        }

        var language = LanguageInfo.GetByIsoCode6391(iso);
        return language == LinguaLanguage.Unknown ? null : language;
    }
}
