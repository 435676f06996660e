using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>SIB-200 (Adelani et al., 2024): one folder per FLORES code with train.tsv, dev.tsv and test.tsv (index_id, category, text).</summary>
public static class Sib200Files
{
    public static IReadOnlyList<string> AllSplits { get; } = [Splits.Train, Splits.Dev, Splits.Test];

    /// <summary>Reads the splits of one language (all three when <paramref name="splits"/> is null), each example tagged with its split.</summary>
    public static async Task<ImportResult> ReadLanguageAsync(
        string root, string language, IReadOnlyList<string>? splits, CancellationToken cancellationToken)
    {
        var folder = LanguageFolder(root, language);
        var code = Path.GetFileName(folder);
        var results = new List<ImportResult>();
        foreach (var split in splits ?? AllSplits)
        {
            var path = Path.Combine(folder, split + ".tsv");
            results.Add(await ExampleFiles.ReadAsync(path, new ImportOptions
            {
                Format = ExampleFileFormat.Tsv,
                // A FLORES code the registry does not know still imports, without a language tag.
                Language = LanguageRegistry.Default.TryResolve(code, out var known) ? known.Code : "",
                Split = split,
                Task = BuiltInTasks.Sib200,
                Source = $"sib200:{code}/{split}.tsv",
            }, cancellationToken).ConfigureAwait(false));
        }

        return ImportResult.Combine(results);
    }

    /// <summary>The FLORES-200 code SIB-200 uses for a language (cy, cym, Welsh or cym_Latn itself).</summary>
    public static string FloresCodeOf(string language) =>
        LanguageRegistry.Default.TryResolve(language, out var known) ? known.FloresCode
        : IsFloresCode(language) ? language.Trim()
        : throw new ArgumentException($"Unknown language '{language}': give a FLORES-200 code such as cym_Latn.", nameof(language));

    /// <summary>The folder of one language under a SIB-200 root (the root itself or its data/ folder).</summary>
    public static string LanguageFolder(string root, string language)
    {
        var code = FloresCodeOf(language);
        string[] candidates = [Path.Combine(root, code), Path.Combine(root, "data", code)];
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new DataFormatException(candidates[0], null, null, $"no SIB-200 folder for {language} (looked in {root} and {Path.Combine(root, "data")})");
    }

    private static bool IsFloresCode(string code) =>
        code.Trim() is { Length: 8 } c && c[3] == '_' && c[..3].All(char.IsAsciiLetterLower)
        && char.IsAsciiLetterUpper(c[4]) && c[5..].All(char.IsAsciiLetterLower);
}
