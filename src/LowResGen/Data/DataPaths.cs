namespace LowResGen.Data;

/// <summary>
/// The one path template of LowResGen, used by every command and by studies: {task} is the task's name as given,
/// {lang} the language's code (ISO 639-1, else 639-3), {iso3} its ISO 639-3 code, {flores} its FLORES-200 code (cym_Latn)
/// and {locale} its MASSIVE locale or BCP-47 region tag (cy-GB, pt-BR).
/// </summary>
public static class DataPaths
{
    public const string Task = "{task}";
    public const string Lang = "{lang}";
    public const string Iso3 = "{iso3}";
    public const string Flores = "{flores}";
    public const string Locale = "{locale}";

    public static IReadOnlyList<string> LanguagePlaceholders { get; } = [Lang, Iso3, Flores, Locale];

    public static IReadOnlyList<string> All { get; } = [Task, Lang, Iso3, Flores, Locale];

    /// <summary>Whether the template changes with the language (so that one template can name every language's file).</summary>
    public static bool DependsOnLanguage(string template) =>
        LanguagePlaceholders.Any(p => template.Contains(p, StringComparison.Ordinal));

    /// <summary>The template with the placeholders removed, for naming a setting after its file.</summary>
    public static string WithoutPlaceholders(string template) =>
        All.Aggregate(template, (path, placeholder) => path.Replace(placeholder, "", StringComparison.Ordinal));

    /// <summary>Expands the template; a placeholder without a value (no task, no language, no FLORES code) is an error naming it.</summary>
    public static string Expand(string template, string? task, Language? language)
    {
        ArgumentNullException.ThrowIfNull(template);
        var path = template;
        if (path.Contains(Task, StringComparison.Ordinal))
        {
            path = path.Replace(Task, task ?? throw Missing(template, Task, "no task was given"), StringComparison.Ordinal);
        }

        foreach (var placeholder in LanguagePlaceholders)
        {
            if (!path.Contains(placeholder, StringComparison.Ordinal))
            {
                continue;
            }

            if (language is null)
            {
                throw Missing(template, placeholder, "no language was given");
            }

            var value = placeholder switch
            {
                Lang => language.Code,
                Iso3 => language.Iso3,
                Flores => language.FloresCode,
                _ => language.MassiveLocale,
            };
            if (value.Length == 0)
            {
                throw Missing(template, placeholder, placeholder == Flores
                    ? $"{language.EnglishName} ({language.Code}) has no FLORES-200 code"
                    : $"{language.EnglishName} ({language.Code}) has no MASSIVE locale; give a tag with a region such as {language.Code}-XX");
            }

            path = path.Replace(placeholder, value, StringComparison.Ordinal);
        }

        return path;
    }

    /// <summary>Expands with a language code (any form the registry knows).</summary>
    public static string Expand(string template, string? task, string? language) =>
        Expand(template, task, language is null ? null : LanguageRegistry.Default.Resolve(language));

    private static ArgumentException Missing(string template, string placeholder, string why) =>
        new($"'{template}' has {placeholder} but {why}.");
}
