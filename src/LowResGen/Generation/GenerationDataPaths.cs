using LowResGen.Data;

namespace LowResGen.Generation;

/// <summary>
/// The gold training files one generation run reads: the target language's (target demonstrations, label summaries) and
/// English (English demonstrations), each null when the strategy does not read it (<see cref="GenerationStrategy.NeedsTargetTrainingData"/>,
/// <see cref="GenerationStrategy.NeedsEnglishTrainingData"/>). The one statement of data needs that `generate` and study
/// cells share, so that both read the same files for the same strategy.
/// </summary>
public sealed record GenerationDataPaths(string? Target, string? English)
{
    /// <param name="targetTemplate">Path template of the gold training data (<see cref="DataPaths"/> placeholders).</param>
    /// <param name="englishTemplate">Template of the English training data; null means <paramref name="targetTemplate"/> with the language English.</param>
    /// <param name="task">What {task} becomes.</param>
    /// <param name="baseDirectory">Relative paths resolve against it (a study's folder); null means the current directory.</param>
    public static GenerationDataPaths For(GenerationStrategy strategy, string? targetTemplate, string? englishTemplate, string task,
        Language language, string? baseDirectory = null)
    {
        string Full(string template, Language l) =>
            Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), DataPaths.Expand(template, task, l)));

        string Required(string? template) => !string.IsNullOrWhiteSpace(template)
            ? template
            : throw new ArgumentException($"Strategy '{strategy.Name}' needs gold training data: give a training-data path " +
                "(with {lang} or {flores} for the language's code).");

        var target = strategy.NeedsTargetTrainingData ? Full(Required(targetTemplate), language) : null;
        string? english = null;
        if (strategy.NeedsEnglishTrainingData)
        {
            var template = englishTemplate ?? Required(targetTemplate);
            if (englishTemplate is null && !DataPaths.DependsOnLanguage(template) && language.Code != "en")
            {
                throw new ArgumentException($"Strategy '{strategy.Name}' shows English demonstrations: the training-data path needs " +
                    "{lang} (or {flores}) so that the English file can be found, or give the English file separately.");
            }

            english = Full(template, LanguageRegistry.Default.Resolve("en"));
        }

        return new GenerationDataPaths(target, english);
    }
}
