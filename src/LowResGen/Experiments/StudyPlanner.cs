using System.Text.Json;
using LowResGen.Common;
using LowResGen.Common.Downloads;
using LowResGen.LlmClassification;

namespace LowResGen.Experiments;

/// <summary>
/// Expands a study into its cells and computes their keys. Data files are fingerprinted by content, so editing a
/// data file also invalidates exactly the cells that read it.
/// </summary>
public sealed class StudyPlanner(StudyDefinition study)
{
    /// <summary>Bumped when a cell kind's semantics change, so old results are not reused for new code.</summary>
    public const string CellFormatVersion = "1";

    private readonly Dictionary<string, string> _fileHashes = new(StringComparer.Ordinal);

    /// <summary>Data files the planned cells read that do not exist (after <see cref="PlanAsync"/>): their cells will fail.</summary>
    public IReadOnlyList<string> MissingFiles => [.. _fileHashes.Where(p => p.Value.StartsWith("missing:", StringComparison.Ordinal)).Select(p => p.Key).Order(StringComparer.Ordinal)];

    public async Task<IReadOnlyList<StudyCell>> PlanAsync(CancellationToken cancellationToken)
    {
        var cells = new List<StudyCell>();
        foreach (var task in study.TaskKeys)
        {
            // A task file is part of every key of its cells: editing its labels or names reruns them.
            var taskFile = study.TaskOf(task).SourceFile is { } source ? await HashFileAsync(source, cancellationToken).ConfigureAwait(false) : null;
            foreach (var language in study.Languages.Select(l => LowResGen.Data.LanguageRegistry.Default.Resolve(l).Code))
            {
                var train = await HashFileAsync(study.ResolvePath(study.Data.Train, task, language), cancellationToken).ConfigureAwait(false);
                var test = await HashFileAsync(study.ResolvePath(study.Data.Test, task, language), cancellationToken).ConfigureAwait(false);
                var englishTrain = await HashFileAsync(study.EnglishTrainPath(task), cancellationToken).ConfigureAwait(false);
                // One evaluation per training size and student. The key of the one-size, one-student case is the key studies
                // had before sizes and students were dimensions, so their results are reused.
                var evaluations = (from size in study.Sizes
                                   from student in study.Students
                                   select (Size: size, Student: student, Key: (object)new { PerClass = size, study.Seeds, Classifier = student, study.Normalize, test }))
                    .ToArray();
                string? Variant(int? size, string student) => string.Join("__", new[]
                {
                    study.IsLearningCurve && size is { } n ? $"n{n}" : null,
                    study.Students.Count > 1 ? student : null,
                }.OfType<string>()) is { Length: > 0 } variant ? variant : null;

                var goldChain = $"gold/{task}/{language}";
                foreach (var evaluation in evaluations)
                {
                    var goldKey = Key("gold", task, language, train, evaluation.Key, taskFile);
                    cells.Add(new StudyCell(CellKind.Gold, task, language, null, null, "gold", goldKey, goldChain, null)
                    {
                        PerClass = evaluation.Size,
                        Student = evaluation.Student,
                        Variant = Variant(evaluation.Size, evaluation.Student),
                    });
                }

                var settings = study.Strategies.Select(StudySetting.Parse).ToArray();
                foreach (var setting in settings.Where(s => !s.NeedsModel))
                {
                    // transfer reads the English training data at each size; few-gold:k the target's, k per class whatever the sizes.
                    foreach (var evaluation in evaluations.Where(e => setting.Kind == StudySettingKind.Transfer || e.Size == study.PerClass))
                    {
                        var baselineKey = Key("baseline", task, language, setting.Name, setting.Kind == StudySettingKind.Transfer ? englishTrain : train, evaluation.Key);
                        var size = setting.Kind == StudySettingKind.FewGold ? setting.GoldPerClass : evaluation.Size;
                        cells.Add(new StudyCell(CellKind.Baseline, task, language, null, null, setting.Name, baselineKey, $"{setting.Name}/{task}/{language}", null)
                        {
                            PerClass = size,
                            Student = evaluation.Student,
                            Variant = Variant(setting.Kind == StudySettingKind.FewGold ? null : size, evaluation.Student),
                        });
                    }
                }

                foreach (var model in study.Models)
                {
                    foreach (var setting in settings.Where(s => s.NeedsModel))
                    {
                        // Settings that differ only in mix:k share one generated set: generation runs once, at the largest size.
                        var strategy = setting.Generation!.Name;
                        var chain = $"{task}/{language}/{model.Name}/{strategy}";
                        var generateKey = Key("generate", task, language, model.Model, strategy, train, englishTrain,
                            study.PerClass, study.GenerationSeed, study.MaxAttempts, study.Temperature, taskFile);
                        if (!cells.Any(c => c.Key == generateKey))
                        {
                            cells.Add(new StudyCell(CellKind.Generate, task, language, model.Name, strategy, strategy, generateKey, chain, null));
                        }

                        foreach (var evaluation in evaluations)
                        {
                            var evaluateKey = setting.GoldPerClass == 0
                                ? Key("evaluate", generateKey, evaluation.Key)
                                : Key("evaluate", generateKey, evaluation.Key, setting.Name, train, study.GenerationSeed);
                            cells.Add(new StudyCell(CellKind.Evaluate, task, language, model.Name, setting.Name, setting.Name, evaluateKey, chain, generateKey)
                            {
                                PerClass = evaluation.Size,
                                Student = evaluation.Student,
                                Variant = Variant(evaluation.Size, evaluation.Student),
                            });
                        }
                    }

                    foreach (var setting in study.LlmClassification)
                    {
                        var chain = $"{task}/{language}/{model.Name}/llm/{setting}";
                        var usesGenerated = LlmSetting.TryParseName($"llm-{LlmSetting.SplitScoring(setting).Prompting}", out _, out var pool) && pool == "generated";
                        var upstream = usesGenerated
                            ? cells.FirstOrDefault(c => c.Kind == CellKind.Generate && c.Task == task && c.Language == language && c.Model == model.Name)
                            : null;
                        if (usesGenerated && upstream is null)
                        {
                            throw new InvalidOperationException($"LLM classification '{setting}' needs generated demonstrations: add a strategy to the study.");
                        }

                        var classifyKey = Key("classify", task, language, model.Model, setting, train, test, upstream?.Key,
                            study.LlmClassificationLimit, study.Seeds, taskFile);
                        cells.Add(new StudyCell(CellKind.Classify, task, language, model.Name, upstream?.Strategy, $"llm-{setting}", classifyKey,
                            upstream?.Chain ?? chain, upstream?.Key));
                    }
                }
            }
        }

        return cells;
    }

    /// <summary>The cells of shard <paramref name="index"/> of <paramref name="count"/>: whole chains, dealt round-robin in a stable order.</summary>
    public static IReadOnlyList<StudyCell> Shard(IReadOnlyList<StudyCell> cells, int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var chains = cells.Select(c => c.Chain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var mine = new HashSet<string>(chains.Where((_, i) => i % count == index), StringComparer.Ordinal);
        return [.. cells.Where(c => mine.Contains(c.Chain))];
    }

    private async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        if (_fileHashes.TryGetValue(path, out var known))
        {
            return known;
        }

        if (!File.Exists(path))
        {
            // A missing file is reported when the cell runs; its key still differs from any present file's.
            return _fileHashes[path] = "missing:" + path;
        }

        var (hash, _) = await ResumableDownloader.Sha256OfFileAsync(path, cancellationToken).ConfigureAwait(false);
        return _fileHashes[path] = hash;
    }

    /// <summary>A hash of the parts; trailing nulls (a built-in task has no task file) are dropped so that such keys stay as they were.</summary>
    private static string Key(params object?[] parts)
    {
        var used = parts.Length;
        while (used > 0 && parts[used - 1] is null)
        {
            used--;
        }

        return ContentHash.Of(JsonSerializer.Serialize(parts.Take(used).Prepend(CellFormatVersion)), 24);
    }
}
