using System.Globalization;
using System.Text;
using LowResGen.Evaluation.Metrics;
using LowResGen.Experiments;

namespace LowResGen.Reporting;

/// <summary>What a stored cell means in a report: its student and training size, read with the fallbacks of older stores.</summary>
public static class StudyRecords
{
    /// <summary>The student of an evaluation cell; a store from before students were kept ran the study's <c>classifier</c>.</summary>
    public static string StudentOf(CellRecord cell, StudyDefinition study) => cell.Student ?? study.Classifier;

    /// <summary>The training size per class of an evaluation cell: as stored, else k for few-gold:k and per_class for the rest.</summary>
    public static int SizeOf(CellRecord cell, StudyDefinition study) =>
        cell.PerClass ?? (IsFewGold(cell) ? StudySetting.Parse(cell.Setting).GoldPerClass : study.PerClass);

    /// <summary>Whether the cell belongs in the tables of the largest size: LLM and few-gold cells have one size only.</summary>
    public static bool AtLargestSize(CellRecord cell, StudyDefinition study) =>
        cell.Kind == CellKind.Classify || IsFewGold(cell) || SizeOf(cell, study) == study.PerClass;

    /// <summary>The students of the report: the study's, then any others its store holds, in that order.</summary>
    public static IReadOnlyList<string> Students(StudyReportData data) =>
        [.. data.Study.Students.Concat(data.Cells.Where(c => c.Kind is CellKind.Gold or CellKind.Evaluate or CellKind.Baseline)
            .Select(c => StudentOf(c, data.Study))).Distinct(StringComparer.Ordinal)];

    private static bool IsFewGold(CellRecord cell) =>
        cell.Kind == CellKind.Baseline && cell.Setting.StartsWith(StudySetting.FewGoldName + ":", StringComparison.Ordinal);
}

/// <summary>One size of a learning curve: mean accuracy over seeds and its 95 % percentile bootstrap interval.</summary>
public sealed record CurvePoint(int PerClass, double Mean, double Low, double High, int Seeds);

/// <summary>One setting's accuracy against training size (a single point for few-gold:k).</summary>
public sealed record CurveLine(string Setting, string? Model, IReadOnlyList<CurvePoint> Points)
{
    public string Label => Model is null ? Setting : $"{Setting} ({Model})";
}

/// <summary>The learning curves of one task, language and student: one line per setting.</summary>
public sealed record LearningCurve(string Task, string Language, string Student, IReadOnlyList<CurveLine> Lines)
{
    public CurveLine? Gold => Lines.FirstOrDefault(l => l.Setting == "gold");
}

/// <summary>Where an accuracy falls on the gold curve: about <see cref="PerClass"/> gold examples per class, or below its
/// smallest / above its largest measured size (<see cref="Relation"/> -1 / +1, PerClass then that size).</summary>
public sealed record GoldEquivalent(double PerClass, int Relation)
{
    public string Describe() => Relation switch
    {
        < 0 => string.Create(CultureInfo.InvariantCulture, $"< gold at {PerClass:0.#}/class (below the smallest size)"),
        > 0 => string.Create(CultureInfo.InvariantCulture, $"> gold at {PerClass:0.#}/class (above the largest size)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"≈ gold at {PerClass:0.#}/class"),
    };
}

/// <summary>"setting at n/class ≈ gold at k/class" for one point of a curve.</summary>
public sealed record GoldReadOff(string Setting, string? Model, int PerClass, double Accuracy, GoldEquivalent Gold)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{(Model is null ? Setting : $"{Setting} ({Model})")} at {PerClass}/class ({Accuracy * 100:0.0} %) {Gold.Describe()}");
}

/// <summary>
/// Learning curves of a study whose per_class is a list: per task, language and student, accuracy against training size
/// with 95 % bootstrap intervals over seeds, and the read-off of how many gold examples per class a setting's accuracy is
/// worth (interpolated on the gold curve, linearly in log size).
/// </summary>
public static class LearningCurves
{
    private const int Resamples = 2_000;

    public static IReadOnlyList<LearningCurve> Of(StudyReportData data)
    {
        var study = data.Study;
        if (!study.IsLearningCurve)
        {
            return [];
        }

        var cells = data.Cells.Where(c => c.Scores.Count > 0 && c.Kind is CellKind.Gold or CellKind.Evaluate or CellKind.Baseline).ToArray();
        var curves = new List<LearningCurve>();
        foreach (var task in study.TaskKeys)
        {
            foreach (var language in study.Languages.Select(l => LowResGen.Data.LanguageRegistry.Default.Resolve(l).Code))
            {
                foreach (var student in StudyRecords.Students(data))
                {
                    var own = cells.Where(c => c.Task == task && c.Language == language && StudyRecords.StudentOf(c, study) == student).ToArray();
                    if (own.Length == 0)
                    {
                        continue;
                    }

                    var lines = own.GroupBy(c => (c.Setting, c.Kind == CellKind.Evaluate ? c.Model : null))
                        .OrderBy(g => g.Key.Setting == "gold" ? 0 : 1).ThenBy(g => g.Key.Setting, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
                        .Select(g => new CurveLine(g.Key.Setting, g.Key.Item2, [.. g.GroupBy(c => StudyRecords.SizeOf(c, study)).OrderBy(p => p.Key)
                            .Select(p => Point(p.Key, [.. p.First().Scores.Select(s => s.Accuracy)]))]))
                        .ToArray();
                    curves.Add(new LearningCurve(task, language, student, lines));
                }
            }
        }

        return curves;
    }

    /// <summary>Mean accuracy over seeds at one size, with its 95 % percentile bootstrap interval (2,000 resamples, seed 0).</summary>
    public static CurvePoint Point(int perClass, IReadOnlyList<double> accuracies)
    {
        var (low, high) = PairedComparison.BootstrapInterval(accuracies, Resamples, 0);
        return new CurvePoint(perClass, accuracies.Average(), low, high, accuracies.Count);
    }

    /// <summary>
    /// The gold examples per class that reach <paramref name="accuracy"/>: the first crossing of the gold curve, walking
    /// up from its smallest size, interpolated linearly in log(size) between the two measured sizes around it (learning
    /// curves are close to straight in log size). Below the smallest gold point or above the highest, says so; null
    /// without gold points.
    /// </summary>
    public static GoldEquivalent? GoldEquivalentOf(IReadOnlyList<CurvePoint> gold, double accuracy)
    {
        var points = gold.OrderBy(p => p.PerClass).ToArray();
        if (points.Length == 0)
        {
            return null;
        }

        if (accuracy < points[0].Mean)
        {
            return new GoldEquivalent(points[0].PerClass, -1);
        }

        if (accuracy == points[0].Mean)
        {
            return new GoldEquivalent(points[0].PerClass, 0);
        }

        for (var i = 1; i < points.Length; i++)
        {
            var (lo, hi) = (points[i - 1], points[i]);
            if (accuracy >= Math.Min(lo.Mean, hi.Mean) && accuracy <= Math.Max(lo.Mean, hi.Mean) && lo.Mean != hi.Mean)
            {
                var t = (accuracy - lo.Mean) / (hi.Mean - lo.Mean);
                return new GoldEquivalent(Math.Exp(Math.Log(lo.PerClass) + (t * (Math.Log(hi.PerClass) - Math.Log(lo.PerClass)))), 0);
            }
        }

        return new GoldEquivalent(points.MaxBy(p => p.Mean)!.PerClass, +1);
    }

    /// <summary>Every point of every setting but gold, read off on the gold curve of the same task, language and student.</summary>
    public static IReadOnlyList<GoldReadOff> ReadOff(LearningCurve curve)
    {
        if (curve.Gold is not { } gold)
        {
            return [];
        }

        return [.. curve.Lines.Where(l => l.Setting != "gold").SelectMany(l => l.Points.Select(p =>
            GoldEquivalentOf(gold.Points, p.Mean) is { } equivalent ? new GoldReadOff(l.Setting, l.Model, p.PerClass, p.Mean, equivalent) : null))
            .OfType<GoldReadOff>()];
    }

    public static void AppendMarkdown(StringBuilder md, StudyReportData data)
    {
        var curves = Of(data);
        if (curves.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## Learning curves");
        md.AppendLine();
        md.AppendLine("Accuracy (%) against training examples per class, mean over seeds with its 95 % bootstrap confidence interval over seeds. " +
            "Every size trains on a subset of the next larger one for the same seed (nested draws); generation ran once, at the largest size. " +
            "The read-off places each accuracy on the gold curve of the same student: the first crossing, interpolated linearly in log(size) " +
            "between the two measured gold sizes around it.");
        foreach (var curve in curves)
        {
            var sizes = curve.Lines.SelectMany(l => l.Points).Select(p => p.PerClass).Distinct().Order().ToArray();
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {curve.Task} — {curve.Language} — {curve.Student}");
            md.AppendLine();
            md.AppendLine("| setting | " + string.Join(" | ", sizes.Select(n => n.ToString(CultureInfo.InvariantCulture) + "/class")) + " |");
            md.AppendLine("|---|" + string.Concat(sizes.Select(_ => "---|")));
            foreach (var line in curve.Lines)
            {
                md.AppendLine("| " + line.Label + " | " + string.Join(" | ", sizes.Select(n => line.Points.FirstOrDefault(p => p.PerClass == n) is { } p
                    ? string.Create(CultureInfo.InvariantCulture, $"{p.Mean * 100:0.0} [{p.Low * 100:0.0}, {p.High * 100:0.0}]")
                    : "–")) + " |");
            }

            var readOff = ReadOff(curve);
            if (readOff.Count > 0)
            {
                md.AppendLine();
                foreach (var line in readOff)
                {
                    md.AppendLine("- " + line.Describe());
                }
            }
        }
    }
}

/// <summary>One setting in the answer table of a task and language.</summary>
/// <param name="Student">The student whose accuracy the row shows (the best of the study's students for this setting), or the LLM's model.</param>
/// <param name="PValue">Welch's t-test of the row's accuracies over seeds against the best row's; null for the best row and where it cannot be computed.</param>
/// <param name="LlmCalls">LLM requests the setting took (its generation cell, or its classification cell); 0 without an LLM, null when the store did not keep them.</param>
public sealed record AnswerRow(int Rank, string Setting, string? Model, string Student, MeanStd Accuracy, double Low, double High,
    double? PValue, double? HolmPValue, long? LlmCalls, long LlmTokens, bool IsLlm)
{
    public bool IsBest => Rank == 1;

    /// <summary>Worse than the best row after the Holm correction over the table's comparisons.</summary>
    public bool Significant => HolmPValue < PairedComparison.Alpha;

    public string Label => Model is null ? Setting : $"{Setting} ({Model})";
}

/// <summary>"What to do for this language": every setting of one task and language ranked by its best student's accuracy.</summary>
public sealed record AnswerTable(string Task, string Language, IReadOnlyList<AnswerRow> Rows);

/// <summary>One setting over the languages of a task: its mean rank and mean accuracy, and in how many languages it was
/// the best or not significantly below it.</summary>
public sealed record AnswerSummaryRow(string Task, string Setting, string? Model, double MeanRank, double MeanAccuracy, int Languages, int BestOrTied)
{
    public string Label => Model is null ? Setting : $"{Setting} ({Model})";
}

/// <summary>
/// The answer tables of a study: per task and language, every setting (gold, each strategy and model, translate, transfer,
/// few-gold, mix, the LLM as a classifier) ranked by the accuracy of its best student at the largest training size, with
/// 95 % bootstrap intervals over seeds, Welch tests against the best row (Holm-corrected over the table), and the LLM calls
/// and tokens the setting took; and one summary over languages.
/// </summary>
public static class AnswerTables
{
    private const int Resamples = 2_000;

    public static IReadOnlyList<AnswerTable> Of(StudyReportData data)
    {
        var study = data.Study;
        var cells = data.Cells.Where(c => c.Scores.Count > 0 && c.Kind != CellKind.Generate && StudyRecords.AtLargestSize(c, study)).ToArray();
        var tables = new List<AnswerTable>();
        foreach (var task in study.TaskKeys)
        {
            foreach (var language in study.Languages.Select(l => LowResGen.Data.LanguageRegistry.Default.Resolve(l).Code))
            {
                var candidates = cells.Where(c => c.Task == task && c.Language == language)
                    .GroupBy(c => (c.Setting, Model: c.Kind is CellKind.Evaluate or CellKind.Classify ? c.Model : null))
                    .Select(g => g.OrderByDescending(c => c.Scores.Average(s => s.Accuracy)).ThenBy(c => StudyRecords.StudentOf(c, study), StringComparer.Ordinal).First())
                    .OrderByDescending(c => c.Scores.Average(s => s.Accuracy)).ThenBy(c => c.Setting, StringComparer.Ordinal).ToArray();
                if (candidates.Length == 0)
                {
                    continue;
                }

                var best = candidates[0].Scores.Select(s => s.Accuracy).ToArray();
                var p = candidates.Select((c, i) => i == 0 ? double.NaN
                    : PairedComparison.CompareUnpaired([.. c.Scores.Select(s => s.Accuracy)], best, bootstrapResamples: 0).TTest.PValue).ToArray();
                var tested = Enumerable.Range(1, candidates.Length - 1).Where(i => !double.IsNaN(p[i])).ToArray();
                var holm = HolmCorrection.Adjust([.. tested.Select(i => p[i])]);
                var rows = candidates.Select((c, i) =>
                {
                    var accuracies = c.Scores.Select(s => s.Accuracy).ToArray();
                    var (low, high) = PairedComparison.BootstrapInterval(accuracies, Resamples, 0);
                    var (calls, tokens) = Cost(c, data.Cells);
                    var t = Array.IndexOf(tested, i);
                    return new AnswerRow(i + 1, c.Setting, c.Kind is CellKind.Evaluate or CellKind.Classify ? c.Model : null,
                        c.Kind == CellKind.Classify ? "LLM" : StudyRecords.StudentOf(c, study), MeanStd.Of(accuracies), low, high,
                        t < 0 ? null : p[i], t < 0 ? null : holm[t], calls, tokens, c.Kind == CellKind.Classify);
                }).ToArray();
                tables.Add(new AnswerTable(task, language, rows));
            }
        }

        return tables;
    }

    /// <summary>Per task and setting over its languages: mean rank, mean accuracy, languages where it is best or not significantly worse.</summary>
    public static IReadOnlyList<AnswerSummaryRow> Summary(IReadOnlyList<AnswerTable> tables) =>
        [.. tables.GroupBy(t => t.Task).SelectMany(task => task.SelectMany(t => t.Rows).GroupBy(r => (r.Setting, r.Model))
            .Select(g => new AnswerSummaryRow(task.Key, g.Key.Setting, g.Key.Model, g.Average(r => r.Rank), g.Average(r => r.Accuracy.Mean), g.Count(),
                g.Count(r => r.IsBest || !r.Significant)))
            .OrderBy(r => r.MeanRank).ThenByDescending(r => r.MeanAccuracy).ThenBy(r => r.Label, StringComparer.Ordinal))];

    /// <summary>What a setting cost in LLM use: its generation cell's (mix:k shares its strategy's), or its own classification cell's.</summary>
    private static (long? Calls, long Tokens) Cost(CellRecord cell, IReadOnlyList<CellRecord> all)
    {
        switch (cell.Kind)
        {
            case CellKind.Classify:
                return (cell.LlmCalls, cell.LlmTokens);
            case CellKind.Evaluate:
                // The strategy without its +mix:k: the generation cell it evaluates (stores may hold names no parser knows now).
                var strategy = string.Join('+', cell.Setting.Split('+').Where(p => !p.StartsWith(StudySetting.MixName + ":", StringComparison.Ordinal)));
                var generation = all.FirstOrDefault(g => g.Kind == CellKind.Generate && g.Task == cell.Task && g.Language == cell.Language
                    && g.Model == cell.Model && g.Strategy == strategy);
                return generation is null ? (null, 0) : (generation.LlmCalls, generation.LlmTokens);
            default:
                return (0, 0);
        }
    }

    public static string Legend =>
        "Every setting ranked by the accuracy (%) of its best student at the largest training size (mean over seeds, 95 % bootstrap " +
        "confidence interval over seeds). p: Welch's t-test against the best row (different settings draw different training sets, so " +
        "seeds are not paired), uncorrected and after a Holm correction over the table's comparisons; `*` marks a row significantly " +
        "below the best after Holm. LLM calls and tokens: what the setting's generation (shared by its +mix:k variants) or " +
        "classification took; 0 for settings without an LLM, – where the store did not keep calls.";

    public static void AppendMarkdown(StringBuilder md, StudyReportData data)
    {
        var tables = Of(data);
        if (tables.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("## What to do for each language");
        md.AppendLine();
        md.AppendLine(Legend);
        foreach (var table in tables)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {table.Task} — {table.Language}");
            md.AppendLine();
            md.AppendLine("| rank | setting | student | accuracy (%) | 95 % CI | p vs best (Holm) | LLM calls | LLM tokens |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var row in table.Rows)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Rank} | {row.Label} | {row.Student} | {row.Accuracy.Mean * 100:0.0}{(row.Significant ? "*" : "")} | " +
                    $"[{row.Low * 100:0.0}, {row.High * 100:0.0}] | {PText(row)} | {(row.LlmCalls is { } calls ? calls.ToString(CultureInfo.InvariantCulture) : "–")} | {row.LlmTokens} |");
            }
        }

        md.AppendLine();
        md.AppendLine("### Over languages");
        md.AppendLine();
        md.AppendLine("Per task: each setting's mean rank and mean accuracy over the languages it ran in, and in how many it was the best or not significantly below it (Holm).");
        md.AppendLine();
        md.AppendLine("| task | setting | mean rank | mean accuracy (%) | languages | best or tied |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in Summary(tables))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Task} | {row.Label} | {row.MeanRank:0.0#} | {row.MeanAccuracy * 100:0.0} | {row.Languages} | {row.BestOrTied} |");
        }
    }

    internal static string PText(AnswerRow row) => row.IsBest ? "best"
        : row.PValue is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p:0.0000} ({row.HolmPValue:0.0000})") : "n/a";
}
