namespace LowResGen.Cli.Commands;

/// <summary>Help texts that several commands share, written once.</summary>
internal static class CliText
{
    public const string Task =
        "Task: a built-in name (massive10/intent, massive60, sib200/topic, sentiment, sarcasm) or a task file (.toml, see `tasks init`).";

    public const string Language =
        "Target language: ISO 639-1/639-3 code (yo, quy), FLORES-200 code (amh_Ethi), MASSIVE locale or BCP-47 tag (pt-BR), or English name.";

    public const string Placeholders =
        "{task}, {lang} (ISO 639-1, else 639-3), {iso3}, {flores} (yor_Latn) and {locale} (cy-GB) are replaced per task and language.";
}
