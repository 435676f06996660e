using LowResGen.Common;

namespace LowResGen.Data.Import;

/// <summary>
/// MASSIVE 1.1 (FitzGerald et al., 2022): one JSON Lines file per locale (<c>cy-GB.jsonl</c>) with the fields
/// id, locale, partition (train/dev/test), scenario, intent and utt.
/// </summary>
public static class MassiveFiles
{
    /// <summary>Reads one locale file. <paramref name="labelSubset"/> keeps only its intents (e.g. massive10); null keeps all 60.</summary>
    public static Task<ImportResult> ReadAsync(
        string path, TaskDefinition? labelSubset, IReadOnlySet<string>? splits, CancellationToken cancellationToken) =>
        ExampleFiles.ReadAsync(path, Options(labelSubset, splits) with { Source = "massive-1.1:" + Path.GetFileName(path) }, cancellationToken);

    /// <summary>Reads a language's file from a MASSIVE folder (the folder with the locale files, or the extracted release above it).</summary>
    public static Task<ImportResult> ReadLanguageAsync(
        string folder, string language, TaskDefinition? labelSubset, IReadOnlySet<string>? splits, CancellationToken cancellationToken) =>
        ReadAsync(LocaleFile(folder, language), labelSubset, splits, cancellationToken);

    /// <summary>The import options for MASSIVE's fields: partition becomes the split, locale the language.</summary>
    public static ImportOptions Options(TaskDefinition? labelSubset, IReadOnlySet<string>? splits) => new()
    {
        Format = ExampleFileFormat.Jsonl,
        TextColumn = "utt",
        LabelColumn = "intent",
        IdColumn = "id",
        SplitColumn = "partition",
        LanguageColumn = "locale",
        Task = labelSubset,
        LabelsOutsideTask = OutsideTaskLabelPolicy.Skip,
        KeepSplits = splits,
    };

    /// <summary>The MASSIVE locale of a language code (cy, cym, Welsh or cy-GB itself).</summary>
    public static string LocaleOf(string language) =>
        LanguageRegistry.Default.TryResolve(language, out var known) ? known.MassiveLocale
        : IsLocale(language) ? language.Trim()
        : throw new ArgumentException($"Unknown language '{language}': give a MASSIVE locale such as cy-GB.", nameof(language));

    public static string LocaleFile(string folder, string language)
    {
        var name = LocaleOf(language) + ".jsonl";
        string[] candidates = [Path.Combine(folder, name), Path.Combine(folder, "data", name), Path.Combine(folder, "1.1", "data", name)];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DataFormatException(candidates[0], null, null, $"no MASSIVE file for {language} (looked in {folder}, data/ and 1.1/data/)");
    }

    private static bool IsLocale(string code) =>
        code.Trim() is { Length: 5 } c && char.IsAsciiLetterLower(c[0]) && char.IsAsciiLetterLower(c[1]) && c[2] == '-'
        && char.IsAsciiLetterUpper(c[3]) && char.IsAsciiLetterUpper(c[4]);
}
