using LowResGen.Common.Downloads;
using LowResGen.Data;
using LowResGen.Data.Download;
using LowResGen.Llm.Models;

namespace LowResGen.Experiments;

/// <summary>What the quickstart does: one language, one task, one model, one strategy, evaluated against same-size gold data.</summary>
public sealed record QuickstartOptions
{
    public string Language { get; init; } = "cy";

    /// <summary>Task; null picks what the data holds (intent for kinit-synthetic, sib200 for SIB-200).</summary>
    public string? Task { get; init; }

    /// <summary>A GGUF path, cache name, server URL or configured name; null pulls and uses <see cref="DefaultModel"/>.</summary>
    public string? Model { get; init; }

    /// <summary>The model pulled (and checked against its pinned SHA-256) when <see cref="Model"/> is null.</summary>
    public KnownModel DefaultModel { get; init; } = DefaultModels.Quickstart;

    /// <summary>Local data (kinit-synthetic or SIB-200 layout); null downloads SIB-200 for the language and English.</summary>
    public string? DataDirectory { get; init; }

    public string Strategy { get; init; } = "target-demos";

    public int PerClass { get; init; } = 10;

    public int Seeds { get; init; } = 5;

    public int MaxAttempts { get; init; } = 5;

    public int MaxOutputTokens { get; init; } = 1024;

    public bool LanguageCheck { get; init; } = true;

    public string OutputDirectory { get; init; } = "lowresgen-quickstart";

    /// <summary>Base URL for dataset downloads (mirrors, tests).</summary>
    public Uri? DatasetBaseUrl { get; init; }

    /// <summary>Base URL for the default model's download (mirrors, tests).</summary>
    public Uri? ModelBaseUrl { get; init; }

    /// <summary>Where downloaded datasets are kept; null means datasets/ beside the model cache.</summary>
    public string? DatasetCache { get; init; }

    /// <summary>The model cache; null means the default (see <see cref="ModelCache"/>).</summary>
    public string? ModelCacheDirectory { get; init; }

    /// <summary>
    /// The encoder of the second student (<c>encoder:&lt;model&gt;</c>, next to the n-gram one): any encoder reference.
    /// Null: <see cref="DefaultModels.Encoder"/> when it is already in the model cache; the quickstart never downloads it.
    /// </summary>
    public string? Encoder { get; init; }

    /// <summary>Evaluate with the n-gram student only.</summary>
    public bool NoEncoder { get; init; }

    /// <summary>The language's name in prompts instead of the registry's (--language-name).</summary>
    public string? LanguageName { get; init; }
}

/// <summary>
/// The quickstart is a one-cell study: it finds or downloads the data and the model, then builds the
/// <see cref="StudyDefinition"/> that `study run` would read from a file, so it is resumable and cached like any study.
/// </summary>
public static class Quickstart
{
    public static async Task<StudyDefinition> PrepareAsync(QuickstartOptions options, HttpClient http, IProgress<string>? log, CancellationToken cancellationToken)
    {
        var language = LanguageRegistry.Default.Resolve(options.Language);
        var data = options.DataDirectory is { } directory
            ? Locate(Path.GetFullPath(directory), options.Task, language)
            : await DownloadSib200Async(options, http, language, log, cancellationToken).ConfigureAwait(false);
        var model = options.Model ?? await PullDefaultModelAsync(options, http, log, cancellationToken).ConfigureAwait(false);
        var output = Path.GetFullPath(options.OutputDirectory);
        var encoder = EncoderOf(options, log);
        return new StudyDefinition
        {
            Classifiers = encoder is null ? [] : [Evaluation.ClassifierTrainerRegistry.DefaultName, $"encoder:{encoder}"],
            Name = $"quickstart-{data.Task}-{language.Code}",
            Output = output,
            BaseDirectory = output,
            Tasks = [data.Task],
            Languages = [language.Code],
            LanguageNames = string.IsNullOrWhiteSpace(options.LanguageName) ? [] : new() { [language.Code] = options.LanguageName },
            Models = [new StudyModel { Name = ModelName(model), Model = model }],
            Strategies = [options.Strategy],
            Data = data.Paths,
            PerClass = options.PerClass,
            Seeds = options.Seeds,
            MaxAttempts = options.MaxAttempts,
            MaxOutputTokens = options.MaxOutputTokens,
            LanguageCheck = options.LanguageCheck,
        };
    }

    /// <summary>The encoder of the second student, or null (with a line saying why) when there is none to use.</summary>
    private static string? EncoderOf(QuickstartOptions options, IProgress<string>? log)
    {
        if (options.NoEncoder)
        {
            return null;
        }

        if (options.Encoder is { } given)
        {
            return given;
        }

        var cache = new ModelCache(options.ModelCacheDirectory);
        if (cache.Resolve(DefaultModels.Encoder.CacheName) is { } path)
        {
            return path;
        }

        log?.Report($"Encoder student skipped: {DefaultModels.Encoder.CacheName} is not in the model cache ({cache.Directory}); " +
                    "`lowresgen models pull encoder` adds it (about 120 MB), --encoder <model> names another, --no-encoder skips this check.");
        return null;
    }

    private sealed record LocatedData(string Task, StudyData Paths);

    /// <summary>Recognises the kinit-synthetic layout (task/lang-*.csv) and the SIB-200 layout (flores/split.tsv), at the folder or one level down.</summary>
    private static LocatedData Locate(string root, string? task, Language language)
    {
        foreach (var folder in new[] { root, Path.Combine(root, "kinit-synthetic") })
        {
            var kinitTask = task is null ? "intent" : KinitTaskName(task);
            if (File.Exists(Path.Combine(folder, kinitTask, $"{language.Code}-train_human_parsed.csv")))
            {
                return new LocatedData(kinitTask, new StudyData
                {
                    Train = Path.Combine(folder, "{task}", "{lang}-train_human_parsed.csv"),
                    Test = Path.Combine(folder, "{task}", "{lang}-test.csv"),
                });
            }
        }

        foreach (var folder in new[] { root, Path.Combine(root, "sib200") })
        {
            if (File.Exists(Path.Combine(folder, language.FloresCode, "train.tsv")))
            {
                return new LocatedData("sib200", new StudyData
                {
                    Train = Path.Combine(folder, "{flores}", "train.tsv"),
                    Test = Path.Combine(folder, "{flores}", "test.tsv"),
                });
            }
        }

        throw new DirectoryNotFoundException(
            $"No data for {language.EnglishName} under {root}: expected kinit-synthetic files (<task>/{language.Code}-train_human_parsed.csv) " +
            $"or SIB-200 files ({language.FloresCode}/train.tsv), directly or in a kinit-synthetic/ or sib200/ sub-folder.");
    }

    private static string KinitTaskName(string task) => task.ToLowerInvariant() switch
    {
        "massive10" => "intent",
        "sib200" => "topic",
        var other => other,
    };

    private static async Task<LocatedData> DownloadSib200Async(QuickstartOptions options, HttpClient http, Language language, IProgress<string>? log, CancellationToken cancellationToken)
    {
        var cache = options.DatasetCache ?? Path.Combine(Path.GetDirectoryName(new ModelCache(options.ModelCacheDirectory).Directory)!, "datasets");
        log?.Report($"Downloading SIB-200 ({language.EnglishName} and English) into {cache} ...");
        var downloader = new DatasetDownloader(new ResumableDownloader(http));
        var result = await downloader.DownloadAsync(PublicDataset.Sib200, new DatasetDownloadOptions
        {
            OutputFolder = cache,
            Languages = language.Code == "en" ? ["en"] : [language.Code, "en"],
            BaseUrl = options.DatasetBaseUrl,
        }, null, cancellationToken).ConfigureAwait(false);
        return Locate(result.Folder, "sib200", language);
    }

    private static async Task<string> PullDefaultModelAsync(QuickstartOptions options, HttpClient http, IProgress<string>? log, CancellationToken cancellationToken)
    {
        var cache = new ModelCache(options.ModelCacheDirectory);
        var known = options.DefaultModel;
        if (cache.Resolve(known.CacheName) is { } cached)
        {
            return cached;
        }

        log?.Report($"Pulling the default model {known.CacheName} (about {known.SizeBytes / 1_000_000} MB) into {cache.Directory} ...");
        var result = await new ModelPuller(http, cache).PullAsync(known.Pull, options.ModelBaseUrl, null, cancellationToken).ConfigureAwait(false);
        return result.DestinationPath;
    }

    private static string ModelName(string model)
    {
        var name = model.Contains("://", StringComparison.Ordinal) ? model : Path.GetFileNameWithoutExtension(model);
        return string.IsNullOrWhiteSpace(name) ? "model" : name;
    }
}
