using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using Tomlyn;

namespace LowResGen.Experiments;

/// <summary>One generator model of a study: a display name and what `--model` would take (GGUF path, URL, or config name).</summary>
public sealed record StudyModel
{
    public string Name { get; init; } = "";

    public string Model { get; init; } = "";
}

/// <summary>
/// Where the study's data lives. Paths may use {task}, {lang} (ISO 639-1), {flores} (cym_Latn) and {locale} (cy-GB);
/// relative paths are relative to the study file.
/// </summary>
public sealed record StudyData
{
    /// <summary>Gold training data of the target language (demonstrations, label summaries and the gold baseline).</summary>
    public string Train { get; init; } = "";

    /// <summary>Gold test data of the target language.</summary>
    public string Test { get; init; } = "";

    /// <summary>English training data for English demonstrations; defaults to <see cref="Train"/> with lang=en.</summary>
    public string? EnglishTrain { get; init; }
}

/// <summary>
/// A whole study read from TOML: tasks x languages x models x strategies, each generated set evaluated over seeds,
/// plus gold baselines and optional LLM-as-classifier cells.
/// </summary>
public sealed record StudyDefinition
{
    public string Name { get; init; } = "study";

    /// <summary>Output folder (store, generated sets, results, report); relative to the study file.</summary>
    public string Output { get; init; } = "study-output";

    public List<string> Tasks { get; init; } = [];

    public List<string> Languages { get; init; } = [];

    public List<StudyModel> Models { get; init; } = [];

    /// <summary>Generation strategies (<c>target-demos</c>, <c>translate</c>, <c>target-demos+mix:8</c>) and the settings beside
    /// them that need no LLM (<c>transfer</c>, <c>few-gold:8</c>); see <see cref="StudySetting"/>.</summary>
    public List<string> Strategies { get; init; } = [];

    public StudyData Data { get; init; } = new();

    /// <summary>
    /// Generated examples per class, and the training size per class of every evaluation. In a study file <c>per_class</c>
    /// may also be a list (<c>per_class = [8, 32, 100]</c>, a learning curve): this is then its largest size, the size
    /// generation runs at, and <see cref="PerClassSizes"/> holds the list.
    /// </summary>
    [Tomlyn.Serialization.TomlConverter(typeof(PerClassConverter))]
    public int PerClass { get; init; } = 100;

    /// <summary>The training sizes per class of a learning curve, ascending (per_class as a list); empty for one size.</summary>
    [Tomlyn.Serialization.TomlIgnore]
    public IReadOnlyList<int> PerClassSizes { get; init; } = [];

    /// <summary>Every training size per class the evaluations run at, ascending; the last is <see cref="PerClass"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Tomlyn.Serialization.TomlIgnore]
    public IReadOnlyList<int> Sizes => PerClassSizes.Count > 0 ? PerClassSizes : [PerClass];

    /// <summary>Whether the study evaluates at several training sizes (per_class is a list).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Tomlyn.Serialization.TomlIgnore]
    public bool IsLearningCurve => Sizes.Count > 1;

    public int Seeds { get; init; } = 10;

    /// <summary>The student of every evaluation when <see cref="Classifiers"/> is empty.</summary>
    public string Classifier { get; init; } = "ngram";

    /// <summary>The students of the study (names as `--classifier` takes them: <c>ngram</c>, <c>encoder:&lt;model&gt;</c>,
    /// <c>ngram+encoder:&lt;model&gt;</c>); every evaluation runs with each, reported as rows of its own. Empty: <see cref="Classifier"/>.</summary>
    public List<string> Classifiers { get; init; } = [];

    /// <summary>The students every evaluation runs with: <see cref="Classifiers"/>, or <see cref="Classifier"/> alone.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Tomlyn.Serialization.TomlIgnore]
    public IReadOnlyList<string> Students => Classifiers.Count > 0 ? Classifiers : [Classifier];

    public bool Normalize { get; init; } = true;

    /// <summary>Seed of the generation runs (demonstration draws, sampling).</summary>
    public int GenerationSeed { get; init; }

    public int MaxAttempts { get; init; } = 10;

    /// <summary>Longest answer per generation request, in tokens.</summary>
    public int MaxOutputTokens { get; init; } = 1024;

    /// <summary>Reject generated examples that are not in the target language (Lingua).</summary>
    public bool LanguageCheck { get; init; } = true;

    /// <summary>The name prompts use for a language, by its code as written in <see cref="Languages"/>
    /// (<c>language_names = { yo = "Yorùbá" }</c>); others keep the registry's English name. Like generate's --language-name.</summary>
    public Dictionary<string, string> LanguageNames { get; init; } = [];

    public double Temperature { get; init; } = 0.9;

    /// <summary>
    /// Whether `study run` may exit 0 when a generation cell ended with a class below per_class after max_attempts;
    /// by default that is exit code 3 (the report marks such cells either way). Not part of any cell's key.
    /// </summary>
    public bool AllowShortfall { get; init; }

    /// <summary>LLM-as-classifier settings run per model, task and language, e.g. "zero-shot", "5-shot-gold", "5-shot-generated";
    /// "+logprob" scores every label by log-probability instead of generating (backends with log-probabilities: embedded).</summary>
    public List<string> LlmClassification { get; init; } = [];

    /// <summary>Test examples per LLM-classification cell (0 = the whole test set); LLM classification is the expensive part.</summary>
    public int LlmClassificationLimit { get; init; }

    /// <summary>The folder the study file is in; relative paths resolve against it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Tomlyn.Serialization.TomlIgnore]
    public string BaseDirectory { get; init; } = ".";

    /// <summary>The study's tasks, resolved once when the file is read (built-in names or task files relative to the study file).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [Tomlyn.Serialization.TomlIgnore]
    public IReadOnlyList<TaskReference> ResolvedTasks { get; init; } = [];

    /// <summary>The task of a cell, by the key its cells carry (the built-in name as written, or the task file's name).</summary>
    public TaskDefinition TaskOf(string key) =>
        ResolvedTasks.FirstOrDefault(t => t.Key == key)?.Definition ?? TaskResolver.Resolve(key, BaseDirectory).Definition;

    /// <summary>The keys of the study's tasks, in the file's order: what {task} becomes and what cells are named by.</summary>
    public IReadOnlyList<string> TaskKeys => ResolvedTasks.Count > 0 ? [.. ResolvedTasks.Select(t => t.Key)] : Tasks;

    /// <summary>The gold files a generation cell reads for a strategy: the library's one rule, as `generate` applies it.</summary>
    public LowResGen.Generation.GenerationDataPaths GenerationDataFor(string task, string language, LowResGen.Generation.GenerationStrategy strategy) =>
        LowResGen.Generation.GenerationDataPaths.For(strategy, Data.Train, Data.EnglishTrain, task, LanguageRegistry.Default.Resolve(language), BaseDirectory);

    /// <summary>English gold training data of a task (English demonstrations): data.english_train, else data.train with lang=en.</summary>
    public string EnglishTrainPath(string task) => ResolvePath(Data.EnglishTrain ?? Data.Train, task, "en");

    /// <summary>The data file a cell reads, from a template of <see cref="DataPaths"/>; relative to the study file.</summary>
    public string ResolvePath(string template, string task, string language)
    {
        var path = DataPaths.Expand(template, task, language);
        return Path.GetFullPath(Path.Combine(BaseDirectory, path));
    }

    public string OutputDirectory => Path.GetFullPath(Path.Combine(BaseDirectory, Output));

    public static async Task<StudyDefinition> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "study file not found");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text, path);
    }

    /// <summary>Every key a study file may contain: derived from this record (and the records it holds), so a property
    /// added here is a valid key at once and a typo of it is an error.</summary>
    public static TomlKeys Keys { get; } = TomlKeys.From(typeof(StudyDefinition), JsonNamingPolicy.SnakeCaseLower);

    public static StudyDefinition Parse(string toml, string sourceName)
    {
        StudyDefinition study;
        try
        {
            // Unknown keys first: the serializer skips them, and a study that silently runs other settings is worse than none.
            Keys.Check(TomlSerializer.Deserialize<Tomlyn.Model.TomlTable>(toml, new TomlSerializerOptions { SourceName = sourceName })!, toml, sourceName);
            study = TomlSerializer.Deserialize<StudyDefinition>(toml, new TomlSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                SourceName = sourceName,
            }) ?? new StudyDefinition();
        }
        catch (TomlException error)
        {
            throw new DataFormatException(sourceName, error.Line, null, error.Message, error);
        }

        study = study with
        {
            BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(sourceName)) ?? ".",
            PerClassSizes = SizesOf(toml, sourceName),
        };
        study.Validate(sourceName);
        return study with { ResolvedTasks = study.ResolveTasks(sourceName) };
    }

    private void Validate(string file)
    {
        void Require(bool ok, string field, string problem)
        {
            if (!ok)
            {
                throw new DataFormatException(file, null, field, problem);
            }
        }

        Require(Tasks.Count > 0, "tasks", "at least one task is required");
        Require(Languages.Count > 0, "languages", "at least one language is required");
        Require(Seeds > 0, "seeds", "must be positive");
        Require(PerClass > 0 && PerClassSizes.All(n => n > 0), "per_class", "must be positive");
        Require(PerClassSizes.Distinct().Count() == PerClassSizes.Count, "per_class", "a size is listed twice");
        Require(Students.All(s => !string.IsNullOrWhiteSpace(s)), "classifiers", "a classifier name is empty");
        Require(Students.Distinct(StringComparer.OrdinalIgnoreCase).Count() == Students.Count, "classifiers", "a classifier is named twice");
        foreach (var student in Students)
        {
            try
            {
                var name = LowResGen.Evaluation.Classifiers.ClassifierName.Parse(student);
                Require(name.Kind is not LowResGen.Evaluation.Classifiers.ClassifierKind.Llm, "classifiers",
                    $"'{student}' is the LLM as a classifier: name it in llm_classification, which runs it once per model");
            }
            catch (ArgumentException error)
            {
                throw new DataFormatException(file, null, "classifiers", error.Message, error);
            }
        }
        Require(!string.IsNullOrWhiteSpace(Data.Train), "data.train", "a training-data path template is required");
        Require(!string.IsNullOrWhiteSpace(Data.Test), "data.test", "a test-data path template is required");
        var settings = new List<StudySetting>();
        foreach (var strategy in Strategies)
        {
            try
            {
                settings.Add(StudySetting.Parse(strategy));
            }
            catch (Exception error) when (error is ArgumentException or FormatException)
            {
                throw new DataFormatException(file, null, "strategies", error.Message, error);
            }
        }

        Require(!settings.Any(s => s.NeedsModel) || Models.Count > 0, "models", "generation strategies need at least one model");
        Require(settings.Select(s => s.Name).Distinct().Count() == settings.Count, "strategies", "a setting is named twice");
        foreach (var language in Languages)
        {
            try
            {
                LanguageRegistry.Default.Resolve(language);
            }
            catch (ArgumentException error)
            {
                throw new DataFormatException(file, null, "languages", error.Message, error);
            }
        }

        foreach (var model in Models)
        {
            Require(!string.IsNullOrWhiteSpace(model.Name) && !string.IsNullOrWhiteSpace(model.Model), "models", "every model needs a name and a model");
        }

        Require(Models.Select(m => m.Name).Distinct().Count() == Models.Count, "models", "model names must be unique");
    }

    /// <summary>per_class as a list (a learning curve), ascending; empty when it is one number (or absent).</summary>
    private static List<int> SizesOf(string toml, string file)
    {
        var table = TomlSerializer.Deserialize<Tomlyn.Model.TomlTable>(toml, new TomlSerializerOptions { SourceName = file })!;
        if (!table.TryGetValue("per_class", out var value) || value is not Tomlyn.Model.TomlArray array)
        {
            return [];
        }

        var sizes = array.Select(v => v is long n and > 0 and <= int.MaxValue
            ? (int)n
            : throw new DataFormatException(file, null, "per_class", $"'{v}' is not a positive number of examples per class")).ToList();
        if (sizes.Count == 0)
        {
            throw new DataFormatException(file, null, "per_class", "the list of sizes is empty");
        }

        return [.. sizes.Order()];
    }

    private List<TaskReference> ResolveTasks(string file)
    {
        var resolved = new List<TaskReference>();
        foreach (var task in Tasks)
        {
            try
            {
                var reference = TaskResolver.Resolve(task, BaseDirectory);
                if (resolved.Any(r => r.Key == reference.Key))
                {
                    throw new DataFormatException(file, null, "tasks", $"task '{reference.Key}' is listed twice");
                }

                resolved.Add(reference);
            }
            catch (ArgumentException error)
            {
                throw new DataFormatException(file, null, "tasks", error.Message, error);
            }
        }

        return resolved;
    }
}

/// <summary>Reads <c>per_class</c> as one number or a list of numbers (a learning curve): the value is the largest size,
/// the list itself is read by <see cref="StudyDefinition.Parse"/>.</summary>
internal sealed class PerClassConverter : Tomlyn.Serialization.TomlConverter<int>
{
    public override int Read(Tomlyn.Serialization.TomlReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.TokenType == Tomlyn.Serialization.TomlTokenType.Integer)
        {
            var value = reader.GetInt64();
            reader.Read();
            return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
        }

        if (reader.TokenType != Tomlyn.Serialization.TomlTokenType.StartArray)
        {
            throw reader.CreateException("per_class must be a number of examples per class or a list of them, e.g. [8, 32, 100]");
        }

        reader.Read();
        var largest = 0L;
        while (reader.TokenType != Tomlyn.Serialization.TomlTokenType.EndArray)
        {
            if (reader.TokenType != Tomlyn.Serialization.TomlTokenType.Integer)
            {
                throw reader.CreateException("per_class lists numbers of examples per class, e.g. [8, 32, 100]");
            }

            largest = Math.Max(largest, reader.GetInt64());
            reader.Read();
        }

        reader.Read();
        return (int)Math.Clamp(largest, int.MinValue, int.MaxValue);
    }

    public override void Write(Tomlyn.Serialization.TomlWriter writer, int value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteIntegerValue(value);
    }
}
