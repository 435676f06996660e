using System.Globalization;
using System.Text;
using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Evaluation.Metrics;

namespace LowResGen.LlmClassification;

/// <summary>Settings of a teacher-versus-students comparison.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Demonstrations per label for the k-shot settings.</summary>
    public int K { get; init; } = LlmSetting.DefaultK;

    /// <summary>Seeds 0..Seeds-1: the demonstrations drawn for k-shot, the training sample and model for the classifiers.</summary>
    public int Seeds { get; init; } = LlmSetting.DefaultRepeats;

    /// <summary>At most this many training examples per class for the classifiers (both training sets get the same number).</summary>
    public int PerClass { get; init; } = 100;

    public TextNormalization Normalization { get; init; } = TextNormalization.None;

    public bool WritePlots { get; init; } = true;
}

/// <summary>One line of the comparison table; <see cref="GapToBest"/> is this row's mean macro-F1 minus the best row's (≤ 0).</summary>
public sealed record ComparisonRow(string Setting, string Description, MeanStd F1, MeanStd Accuracy, double GapToBest, int? Unmappable);

/// <summary>The teacher (LLM as classifier) and its students (a small classifier trained on gold or generated data), side by side.</summary>
public sealed record ComparisonTable(string Task, string Language, string Model, string Trainer, int PerClass, int K,
    IReadOnlyList<ComparisonRow> Rows, string OutputDirectory)
{
    public ComparisonRow Best => Rows.MaxBy(r => r.F1.Mean)!;

    /// <summary>A Markdown table in percentage points.</summary>
    public string ToMarkdown()
    {
        var builder = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"## {Task} / {Language}: LLM ({Model}) versus {Trainer}\n\n")
            .Append("| setting | what | macro-F1 | accuracy | gap to best (F1) | unmappable |\n")
            .Append("|---|---|---|---|---|---|\n");
        foreach (var row in Rows)
        {
            builder.Append(CultureInfo.InvariantCulture,
                $"| {row.Setting} | {row.Description} | {row.F1.ToPoints()} | {row.Accuracy.ToPoints()} | {row.GapToBest * 100:F1} | {row.Unmappable?.ToString(CultureInfo.InvariantCulture) ?? "-"} |\n");
        }

        return builder.Append(CultureInfo.InvariantCulture,
            $"\nmean ± std over seeds, in points; classifiers trained on {PerClass} examples per class; k-shot with {K} demonstrations per label.\n").ToString();
    }
}

/// <summary>
/// "Better as generators than classifiers?" for one task and language: the LLM zero-shot, k-shot with gold demonstrations
/// and k-shot with generated demonstrations, against the default classifier trained on gold and on generated data of the
/// same size. The LLM runs go to &lt;output&gt;/llm, the classifier runs to &lt;output&gt;/classifier (the usual evaluation
/// layout), and the combined results.csv, comparison.md and comparison.json to &lt;output&gt;.
/// </summary>
/// <param name="textProgress">Reported after every text the LLM answers.</param>
public sealed class TeacherStudentComparison(LlmClassifier teacher, IClassifierTrainer student, ComparisonOptions options,
    IProgress<LlmRunProgress>? textProgress = null)
{
    private static readonly JsonSerializerOptions IndentedCamelCase = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public const string ClassifierGold = "classifier-gold";
    public const string ClassifierGenerated = "classifier-generated";

    public async Task<ComparisonTable> RunAsync(
        string language,
        string model,
        IReadOnlyList<Example> gold,
        IReadOnlyList<Example> generated,
        IReadOnlyList<Example> test,
        string outputDirectory,
        IProgress<ResultRow>? progress,
        CancellationToken cancellationToken)
    {
        var task = teacher.Task;
        var seeds = Enumerable.Range(0, options.Seeds).ToArray();
        var llm = await new LlmEvaluationRunner(teacher, options.WritePlots, textProgress).RunAsync(
            [LlmSetting.ZeroShot, LlmSetting.KShot(options.K, "gold", gold), LlmSetting.KShot(options.K, "generated", generated)],
            test, seeds, Path.Combine(outputDirectory, "llm"), progress, cancellationToken).ConfigureAwait(false);

        // Same size: both training sets are balanced to the largest per-class count that both can fill.
        var perClass = SameSizePerClass(task, gold, generated, options.PerClass);
        var evaluation = new EvaluationRunner(student, new EvaluationOptions
        {
            Seeds = options.Seeds,
            PerClass = perClass,
            Normalization = options.Normalization,
            WritePlots = options.WritePlots,
            Reference = ClassifierGold,
        });
        var students = await evaluation.RunAsync(task,
            [new EvaluationSetting(ClassifierGold, gold), new EvaluationSetting(ClassifierGenerated, generated)],
            test, Path.Combine(outputDirectory, "classifier"),
            progress is null ? null : new LlmEvaluationRunner.RowProgress(progress), cancellationToken).ConfigureAwait(false);

        var rows = new List<(string Setting, string Description, MeanStd F1, MeanStd Accuracy, int? Unmappable)>();
        rows.AddRange(llm.Settings.Select(s => (s.Name, LlmSetting.TryParseName(s.Name, out var k, out var pool) && pool is not null
                ? $"LLM, {k}-shot, {pool} demonstrations"
                : "LLM, zero-shot",
            s.F1, s.Accuracy, (int?)s.Unmappable)));
        rows.Add((ClassifierGold, $"{student.Name} trained on gold", students[ClassifierGold].F1, students[ClassifierGold].Accuracy, null));
        rows.Add((ClassifierGenerated, $"{student.Name} trained on generated", students[ClassifierGenerated].F1, students[ClassifierGenerated].Accuracy, null));
        var best = rows.Max(r => r.F1.Mean);
        var table = new ComparisonTable(task.Name, language, model, student.Name, perClass, options.K,
            [.. rows.Select(r => new ComparisonRow(r.Setting, r.Description, r.F1, r.Accuracy, r.F1.Mean - best, r.Unmappable))],
            Path.GetFullPath(outputDirectory));

        var studentRows = await ResultsFile.ReadAsync(Path.Combine(outputDirectory, "classifier", ResultsFile.FileName), cancellationToken).ConfigureAwait(false);
        await ResultsFile.WriteAsync(Path.Combine(outputDirectory, ResultsFile.FileName), [.. llm.Rows, .. studentRows], cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(Path.Combine(outputDirectory, "comparison.md"), table.ToMarkdown(), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(Path.Combine(outputDirectory, "comparison.json"),
            JsonSerializer.Serialize(table, IndentedCamelCase),
            cancellationToken).ConfigureAwait(false);
        return table;
    }

    /// <summary>The largest per-class count (up to <paramref name="perClass"/>) that every label of both sets can fill.</summary>
    public static int SameSizePerClass(TaskDefinition task, IReadOnlyList<Example> gold, IReadOnlyList<Example> generated, int perClass)
    {
        int Fewest(IReadOnlyList<Example> set) =>
            task.Labels.Min(l => set.Count(e => string.Equals(e.Label, l, StringComparison.Ordinal)));
        var size = Math.Min(perClass, Math.Min(Fewest(gold), Fewest(generated)));
        return size > 0 ? size : throw new ArgumentException(
            "Gold and generated training data must both have examples of every label: " +
            string.Join(", ", task.Labels.Where(l => !gold.Any(e => e.Label == l) || !generated.Any(e => e.Label == l))) + " missing.");
    }
}
