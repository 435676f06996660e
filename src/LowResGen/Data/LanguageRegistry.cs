using System.Globalization;
using System.Reflection;
using LowResGen.Common;

namespace LowResGen.Data;

/// <summary>
/// One language under the codes the datasets use for it. <see cref="Iso1"/>, <see cref="MassiveLocale"/> and
/// <see cref="FloresCode"/> are empty when the language has none; <see cref="Script"/> is the ISO 15924 code of the script
/// its text is expected in (from the FLORES code or the BCP-47 tag; empty when unknown).
/// </summary>
public sealed record Language(
    string Iso1,
    string Iso3,
    string MassiveLocale,
    string FloresCode,
    string EnglishName,
    string Script = "")
{
    /// <summary>The code data files and outputs use: ISO 639-1 where the language has one, else ISO 639-3 (quy).</summary>
    public string Code => Iso1.Length > 0 ? Iso1 : Iso3;
}

/// <summary>
/// Maps between ISO 639-1/639-3 codes, MASSIVE locales (cy-GB), FLORES-200 codes (cym_Latn), BCP-47 tags (pt-BR, sr-Cyrl)
/// and English names, for every language with an ISO 639-3 code. The tables are embedded data files
/// (<c>Data/Languages/*.tsv</c>: ISO 639-3 from Debian's iso-codes, the FLORES-200 code list, the MASSIVE locales), not code.
/// Immutable and thread-safe.
/// </summary>
public sealed class LanguageRegistry
{
    private readonly Dictionary<string, IsoEntry> _byIso3 = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IsoEntry> _byIso1 = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IsoEntry> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _flores = new(StringComparer.OrdinalIgnoreCase); // code -> canonical spelling
    private readonly Dictionary<string, string> _defaultFlores = new(StringComparer.OrdinalIgnoreCase); // iso3 -> code
    private readonly Dictionary<string, string> _macroToIndividual = new(StringComparer.OrdinalIgnoreCase); // swa -> swh
    private readonly Dictionary<string, string> _individualToMacro = new(StringComparer.OrdinalIgnoreCase); // swh -> swa
    private readonly Dictionary<string, string> _locales = new(StringComparer.OrdinalIgnoreCase); // locale -> canonical spelling
    private readonly Dictionary<string, string> _defaultLocale = new(StringComparer.OrdinalIgnoreCase); // iso1 -> locale
    private readonly Dictionary<string, string> _scriptNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (int First, int Last)[]> _scriptRanges = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<IReadOnlyList<Language>> _all;

    private sealed record IsoEntry(string Iso3, string Iso1, string Scope, string Name);

    private LanguageRegistry(TextReader iso639, TextReader flores, TextReader locales, TextReader scripts)
    {
        foreach (var row in Rows(iso639))
        {
            var entry = new IsoEntry(row[0], row[1], row[2], PromptName(row[3]));
            _byIso3[entry.Iso3] = entry;
            if (entry.Iso1.Length > 0)
            {
                _byIso1[entry.Iso1] = entry;
            }

            // The first language of a name wins, preferring one with an ISO 639-1 code (those come first in use).
            if (!_byName.TryGetValue(entry.Name, out var named) || (named.Iso1.Length == 0 && entry.Iso1.Length > 0))
            {
                _byName[entry.Name] = entry;
            }
        }

        foreach (var row in Rows(flores))
        {
            var code = row[0];
            var iso3 = code[..3];
            _flores[code] = code;
            _defaultFlores.TryAdd(iso3, code);
            if (row.Length > 1 && row[1].Length > 0)
            {
                _macroToIndividual[row[1]] = iso3;
                if (row.Length > 2 && row[2] == "same")
                {
                    _individualToMacro[iso3] = row[1];
                }
            }
        }

        foreach (var row in Rows(locales))
        {
            _locales[row[0]] = row[0];
            _defaultLocale.TryAdd(row[0].Split('-')[0], row[0]);
        }

        foreach (var row in Rows(scripts))
        {
            _scriptNames[row[0]] = row[1];
            if (row.Length > 2 && row[2].Length > 0)
            {
                _scriptRanges[row[0]] = [.. row[2].Split(',').Select(range => range.Split('-')).Select(bounds =>
                    (int.Parse(bounds[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                     int.Parse(bounds[^1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))];
            }
        }

        _all = new Lazy<IReadOnlyList<Language>>(() =>
            [.. _byIso3.Values.Where(e => !_macroToIndividual.ContainsKey(e.Iso3)).Select(e => Build(e.Iso3, null, null))]);
    }

    /// <summary>The registry of the embedded tables.</summary>
    public static LanguageRegistry Default { get; } = FromEmbeddedTables();

    /// <summary>Every ISO 639-3 language (a macrolanguage that FLORES-200 writes as one of its members appears as that member).</summary>
    public IReadOnlyList<Language> All => _all.Value;

    /// <summary>The 11 languages of the reference study, in its order.</summary>
    public static IReadOnlyList<string> ReferenceLanguages { get; } =
        ["en", "de", "th", "he", "id", "sw", "ro", "az", "sl", "te", "cy"];

    /// <summary>Every FLORES-200 code (and SIB-200's nqo_Nkoo), in the table's order.</summary>
    public IReadOnlyCollection<string> FloresCodes => _flores.Keys;

    /// <summary>The English name of an ISO 15924 script code (Ethi → "Ethiopic (Geʻez)"); the code itself when unknown.</summary>
    public string ScriptName(string script) => _scriptNames.TryGetValue(script, out var name) && name.Length > 0 ? name : script;

    /// <summary>The Unicode code point ranges of a script's letters (empty when the table has none for it).</summary>
    public IReadOnlyList<(int First, int Last)> ScriptRanges(string script) =>
        _scriptRanges.TryGetValue(script, out var ranges) ? ranges : [];

    public bool TryResolve(string code, out Language language)
    {
        language = TryResolveCore(code.Trim())!;
        return language is not null;
    }

    /// <summary>Resolves any known code, tag or English name, or throws naming the unknown code and close matches.</summary>
    public Language Resolve(string code) =>
        TryResolve(code, out var language)
            ? language
            : throw new ArgumentException($"Unknown language '{code}'{Suggestions(code)}. Give an ISO 639-1/639-3 code (yo, yor), a FLORES-200 code " +
                "(yor_Latn), a MASSIVE locale or BCP-47 tag (pt-BR, sr-Cyrl) or an English name (Yoruba).", nameof(code));

    private Language? TryResolveCore(string code)
    {
        if (code.Length == 0)
        {
            return null;
        }

        if (_flores.TryGetValue(code, out var flores))
        {
            return Build(flores[..3], flores[4..], null, flores);
        }

        if (_locales.TryGetValue(code, out var locale) || _locales.TryGetValue(code.Replace('_', '-'), out locale))
        {
            return Build(Iso3Of(locale.Split('-')[0])!, null, locale);
        }

        if (Iso3Of(code) is { } iso3)
        {
            return Build(iso3, null, null);
        }

        if (_byName.TryGetValue(code, out var named))
        {
            return Build(named.Iso3, null, null);
        }

        // BCP-47 (pt-BR, sr-Cyrl, zh-Hant-TW) and code_Script forms outside FLORES (srp_Latn).
        var parts = code.Split('-', '_');
        if (parts.Length is < 2 or > 3 || Iso3Of(parts[0]) is not { } baseIso3)
        {
            return null;
        }

        string? script = null;
        string? region = null;
        foreach (var part in parts.Skip(1))
        {
            if (part.Length == 4 && part.All(char.IsAsciiLetter) && script is null && region is null)
            {
                script = char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant();
                if (!_scriptNames.ContainsKey(script))
                {
                    return null; // yor_Latm is a typo, not a script
                }
            }
            else if ((part.Length == 2 && part.All(char.IsAsciiLetter)) || (part.Length == 3 && part.All(char.IsAsciiDigit)))
            {
                region = part.ToUpperInvariant();
            }
            else
            {
                return null;
            }
        }

        var tag = region is null ? null : $"{parts[0].ToLowerInvariant()}-{region}";
        return Build(baseIso3, script, tag is not null && _locales.TryGetValue(tag, out var known) ? known : tag);
    }

    /// <summary>The ISO 639-3 code of an ISO 639-1 or 639-3 code; a macrolanguage FLORES writes as a member becomes that member.</summary>
    private string? Iso3Of(string code)
    {
        var entry = code.Length == 2 ? _byIso1.GetValueOrDefault(code) : code.Length == 3 ? _byIso3.GetValueOrDefault(code) : null;
        if (entry is null)
        {
            return null;
        }

        return _macroToIndividual.TryGetValue(entry.Iso3, out var individual) ? individual : entry.Iso3;
    }

    private Language Build(string iso3, string? script, string? locale, string? flores = null)
    {
        var entry = _byIso3[iso3];
        // An individual language FLORES uses for a macrolanguage takes the macrolanguage's ISO 639-1 code and name (swh: sw, Swahili).
        var macro = _individualToMacro.TryGetValue(iso3, out var m) ? _byIso3.GetValueOrDefault(m) : null;
        var iso1 = entry.Iso1.Length > 0 ? entry.Iso1 : macro?.Iso1 ?? "";
        var name = entry.Iso1.Length == 0 && macro is not null && macro.Iso1.Length > 0 ? macro.Name : entry.Name;
        if (flores is null)
        {
            var candidate = script is null ? _defaultFlores.GetValueOrDefault(iso3) : $"{iso3}_{script}";
            flores = candidate is not null && _flores.TryGetValue(candidate, out var known) ? known : "";
        }

        script ??= flores.Length > 0 ? flores[4..] : "";
        locale ??= iso1.Length > 0 ? _defaultLocale.GetValueOrDefault(iso1) ?? "" : "";
        if (script == "Hant" && iso1 == "zh" && locale == "zh-CN")
        {
            locale = "zh-TW";
        }

        return new Language(iso1, iso3, locale, flores, name, script);
    }

    private string Suggestions(string code)
    {
        var needle = code.Trim().ToLowerInvariant();
        var candidates = _byIso1.Keys.Concat(_flores.Keys).Concat(_locales.Keys)
            .Concat(_byIso3.Values.Where(e => e.Scope != "S").Select(e => e.Iso3))
            .Concat(_byName.Keys)
            .Select(c => (Code: c, Distance: Distance(needle, c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, needle.Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Code.Length).ThenBy(c => c.Code, StringComparer.Ordinal)
            .Select(c => c.Code)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(5)
            .ToArray();
        return candidates.Length == 0 ? "" : $" (did you mean {string.Join(", ", candidates)}?)";
    }

    // Codes more than three characters longer or shorter are never suggested: cheap to rule out before the full distance.
    private static int Distance(string a, string b) => Math.Abs(a.Length - b.Length) > 3 ? int.MaxValue : EditDistance.Between(a, b);

    /// <summary>"Swahili (macrolanguage)" → "Swahili", "Modern Greek (1453-)" → "Modern Greek": names as a prompt says them.</summary>
    private static string PromptName(string name)
    {
        var open = name.IndexOf(" (", StringComparison.Ordinal);
        return open > 0 && name.EndsWith(')') ? name[..open] : name;
    }

    private static IEnumerable<string[]> Rows(TextReader reader)
    {
        var header = true;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (header)
            {
                header = false;
                continue;
            }

            yield return line.Split('\t');
        }
    }

    private static LanguageRegistry FromEmbeddedTables()
    {
        var assembly = typeof(LanguageRegistry).Assembly;
        using var iso = Open(assembly, "iso639-3.tsv");
        using var flores = Open(assembly, "flores200.tsv");
        using var locales = Open(assembly, "massive-locales.tsv");
        using var scripts = Open(assembly, "scripts.tsv");
        return new LanguageRegistry(iso, flores, locales, scripts);
    }

    internal static StreamReader Open(Assembly assembly, string name) =>
        new(assembly.GetManifestResourceStream("LowResGen.Data.Languages." + name)
            ?? throw new InvalidOperationException($"embedded language table {name} is missing"));
}
