using System.Runtime.CompilerServices;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Reporting;

namespace LowResGen.Evaluation;

/// <summary>A training file for one setting; the path may hold {lang} and {task} placeholders.</summary>
public sealed record TrainingSource(string Name, string Path)
{
    /// <summary>"name=path", or a bare path named after its file (placeholders and separators around them dropped).</summary>
    public static TrainingSource Parse(string spec)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && !File.Exists(spec))
        {
            return new TrainingSource(spec[..equals].Trim(), spec[(equals + 1)..].Trim());
        }

        var stem = DataPaths.WithoutPlaceholders(System.IO.Path.GetFileNameWithoutExtension(spec)).Trim('-', '_', '.', ' ');
        return new TrainingSource(stem.Length == 0 ? "train" : stem, spec);
    }
}

/// <summary>
/// Several evaluations in one go: every task × language, with {task} and {lang} in the paths replaced for each.
/// Outputs go to &lt;output&gt;[/&lt;task&gt;][/&lt;lang&gt;]; with several languages a report over them is written next to
/// the language folders.
/// </summary>
public sealed record EvaluationRequest
{
    public required IReadOnlyList<TrainingSource> Train { get; init; }

    public required string Test { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Task names (built-in tasks give the label order and validate labels); empty means one run without a task.</summary>
    public IReadOnlyList<string> Tasks { get; init; } = [];

    /// <summary>Language codes; empty means one run without a language folder.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Whether the task names make sub-folders (true when several were asked for).</summary>
    public bool TaskFolders { get; init; }

    /// <summary>Whether the language codes make sub-folders (true with --languages).</summary>
    public bool LanguageFolders { get; init; }

    public EvaluationOptions Options { get; init; } = new();
}

/// <summary>Progress of one (setting, seed) inside a batch, with the task and language it belongs to.</summary>
public sealed record EvaluationBatchProgress(string? Task, string? Language, EvaluationProgress Run);

/// <summary>One finished evaluation of a batch.</summary>
public sealed record EvaluationBatchItem(string? Task, string? Language, EvaluationSummary Summary, int ImportWarnings);

public sealed class EvaluationBatch(IClassifierTrainer trainer)
{
    /// <summary>The path template of <see cref="DataPaths"/>: {task}, {lang}, {iso3}, {flores}, {locale}.</summary>
    public static string Expand(string template, string? task, string? language) => DataPaths.Expand(template, task, language);

    public async IAsyncEnumerable<EvaluationBatchItem> RunAsync(EvaluationRequest request, IProgress<EvaluationBatchProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IReadOnlyList<string?> tasks = request.Tasks.Count == 0 ? [null] : [.. request.Tasks];
        IReadOnlyList<string?> languages = request.Languages.Count == 0 ? [null] : [.. request.Languages];
        var runner = new EvaluationRunner(trainer, request.Options);
        foreach (var name in tasks)
        {
            // A built-in task or task file gives label order and checks; another name is a folder and {task} only.
            var reference = name is null ? null : TaskResolver.TryResolve(name);
            var task = reference?.Key ?? name;
            var definition = reference?.Definition;
            var taskDirectory = request.TaskFolders && task is not null ? Path.Combine(request.OutputDirectory, task) : request.OutputDirectory;
            foreach (var language in languages)
            {
                var directory = request.LanguageFolders && language is not null ? Path.Combine(taskDirectory, language) : taskDirectory;
                var import = new ImportOptions { Language = language ?? "", Task = definition, Split = Splits.Test };
                var test = await ExampleFiles.ReadAsync(Expand(request.Test, task, language), import, cancellationToken).ConfigureAwait(false);
                var warnings = test.Warnings.Count;
                var settings = new List<EvaluationSetting>();
                foreach (var source in request.Train)
                {
                    var train = await ExampleFiles.ReadAsync(Expand(source.Path, task, language),
                        import with { Split = Splits.Train, Source = source.Name }, cancellationToken).ConfigureAwait(false);
                    warnings += train.Warnings.Count;
                    settings.Add(new EvaluationSetting(source.Name, train.Examples));
                }

                settings = [.. GoldSettings.Apply(settings, definition?.Labels)];
                var runProgress = progress is null ? null : new TaggedProgress(progress, task, language);
                var summary = await runner.RunAsync(definition, settings, test.Examples, directory, runProgress, cancellationToken).ConfigureAwait(false);
                yield return new EvaluationBatchItem(task, language, summary, warnings);
            }

            if (request.LanguageFolders && languages.Count > 1)
            {
                var report = await ResultsReport.LoadAsync([taskDirectory], request.Options.Reference, cancellationToken).ConfigureAwait(false);
                await report.WriteAsync(taskDirectory, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class TaggedProgress(IProgress<EvaluationBatchProgress> inner, string? task, string? language) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => inner.Report(new EvaluationBatchProgress(task, language, value));
    }
}
