using LowResGen.Experiments;
using LowResGen.Reporting;

namespace LowResGen.Tests.Experiments;

/// <summary>The answer table ("what to do for this language") and the LLM block of the study tables, on crafted stores.</summary>
public class AnswerTableTests
{
    private static readonly StudyDefinition Study = new()
    {
        Name = "answers",
        Tasks = ["intent"],
        Languages = ["cy", "sw"],
        Seeds = 3,
        PerClass = 10,
        Classifiers = ["ngram", "encoder:x"],
    };

    private static CellRecord Cell(CellKind kind, string language, string setting, string? student, long calls, long tokens, params double[] accuracy) =>
        new($"{kind}{language}{setting}{student}", kind, "intent", language, kind is CellKind.Evaluate or CellKind.Classify or CellKind.Generate ? "m" : null,
            kind is CellKind.Evaluate or CellKind.Generate ? setting.Split('+')[0] : null, setting,
            [.. accuracy.Select((a, i) => new SeedScore(i, a, a))], null, tokens, 1, DateTimeOffset.UnixEpoch)
        {
            Student = student,
            PerClass = kind == CellKind.Baseline && setting.StartsWith("few-gold", StringComparison.Ordinal) ? 8 : kind is CellKind.Generate or CellKind.Classify ? null : 10,
            LlmCalls = calls,
        };

    private static StudyReportData Data(StudyDefinition? study = null, IReadOnlyDictionary<string, IReadOnlyList<SeedScore>>? goldOnItems = null) =>
        new(study ?? Study,
            [
                Cell(CellKind.Gold, "cy", "gold", "ngram", 0, 0, 0.80, 0.81, 0.82),
                Cell(CellKind.Gold, "cy", "gold", "encoder:x", 0, 0, 0.85, 0.86, 0.87),
                Cell(CellKind.Generate, "cy", "target-demos", null, 120, 5000),
                Cell(CellKind.Evaluate, "cy", "target-demos", "ngram", 0, 0, 0.70, 0.71, 0.72),
                Cell(CellKind.Evaluate, "cy", "target-demos", "encoder:x", 0, 0, 0.74, 0.75, 0.76),
                Cell(CellKind.Evaluate, "cy", "target-demos+mix:8", "ngram", 0, 0, 0.84, 0.85, 0.86),
                Cell(CellKind.Evaluate, "cy", "target-demos+mix:8", "encoder:x", 0, 0, 0.80, 0.80, 0.81),
                Cell(CellKind.Baseline, "cy", "transfer", "ngram", 0, 0, 0.40, 0.41, 0.42),
                Cell(CellKind.Baseline, "cy", "few-gold:8", "ngram", 0, 0, 0.60, 0.62, 0.64),
                Cell(CellKind.Classify, "cy", "llm-zero-shot", null, 50, 900, 0.65),
                Cell(CellKind.Gold, "sw", "gold", "ngram", 0, 0, 0.70, 0.71, 0.72),
                Cell(CellKind.Gold, "sw", "gold", "encoder:x", 0, 0, 0.69, 0.70, 0.71),
                Cell(CellKind.Generate, "sw", "target-demos", null, 100, 4000),
                Cell(CellKind.Evaluate, "sw", "target-demos", "ngram", 0, 0, 0.78, 0.79, 0.80),
            ],
            [], new Dictionary<string, IReadOnlyList<string>>())
        {
            GoldOnLlmItems = goldOnItems ?? new Dictionary<string, IReadOnlyList<SeedScore>>(),
        };

    [Fact]
    public void Settings_are_ranked_by_their_best_student_with_Holm_tests_against_the_best_and_their_LLM_cost()
    {
        var tables = AnswerTables.Of(Data());
        Assert.Equal(["cy", "sw"], tables.Select(t => t.Language));
        var cy = tables[0].Rows;
        Assert.Equal(["gold", "target-demos+mix:8 (m)", "target-demos (m)", "llm-zero-shot (m)", "few-gold:8", "transfer"], cy.Select(r => r.Label));
        Assert.Equal([1, 2, 3, 4, 5, 6], cy.Select(r => r.Rank));
        Assert.Equal(["encoder:x", "ngram", "encoder:x", "LLM", "ngram", "ngram"], cy.Select(r => r.Student));
        Assert.Equal(0.86, cy[0].Accuracy.Mean, 9);

        // Tested against the best row with Welch's t: mix:8 is within noise of it, the others are clearly below; the LLM's one
        // seed cannot be tested. Holm over the four tests only raises p.
        Assert.Null(cy[0].PValue);
        Assert.Null(cy[3].PValue);
        Assert.Equal([false, false, true, false, true, true], cy.Select(r => r.Significant));
        Assert.All(cy.Where(r => r.PValue is not null), r => Assert.True(r.HolmPValue >= r.PValue));
        Assert.Equal(0.2879, cy[1].PValue!.Value, 3); // t = 0.01 / sqrt(2 * 0.0001 / 3) = 1.2247 with 4 df
        Assert.Equal(Math.Min(1, 4 * cy.Where(r => r.PValue is not null).Min(r => r.PValue!.Value)), cy.Where(r => r.PValue is not null).Min(r => r.HolmPValue!.Value), 12);
        Assert.All(cy, r => Assert.InRange(r.Accuracy.Mean, r.Low, r.High));

        // Calls and tokens: generation's (shared by +mix:8), the LLM classifier's own, none for gold, transfer and few-gold.
        Assert.Equal([0L, 120L, 120L, 50L, 0L, 0L], cy.Select(r => r.LlmCalls!.Value));
        Assert.Equal([0L, 5000L, 5000L, 900L, 0L, 0L], cy.Select(r => r.LlmTokens));

        var sw = tables[1].Rows;
        Assert.Equal(["target-demos (m)", "gold"], sw.Select(r => r.Label));
        Assert.True(sw[1].Significant);

        // Over languages: gold ranks 1 and 2 (mean 1.5), best or tied in one language; mix:8 ran in one language and tied.
        var summary = AnswerTables.Summary(tables);
        Assert.Equal(["gold", "target-demos+mix:8 (m)", "target-demos (m)"], summary.Take(3).Select(r => r.Label));
        Assert.Equal((1.5, 2, 1), (summary[0].MeanRank, summary[0].Languages, summary[0].BestOrTied));
        Assert.Equal((2.0, 1, 1), (summary[1].MeanRank, summary[1].Languages, summary[1].BestOrTied));
        Assert.Equal((2.0, 2, 1), (summary[2].MeanRank, summary[2].Languages, summary[2].BestOrTied));

        var markdown = StudyReportWriter.Markdown(Data());
        Assert.Contains("## What to do for each language", markdown);
        Assert.Contains("| 1 | gold | encoder:x | 86.0 | [85.0, 87.0] | best | 0 | 0 |", markdown);
        Assert.Contains("| 3 | target-demos (m) | encoder:x | 75.0* | [74.0, 76.0] |", markdown);
        Assert.Contains("| 4 | llm-zero-shot (m) | LLM | 65.0 | [65.0, 65.0] | n/a | 50 | 900 |", markdown);
        Assert.Contains("| intent | gold | 1.5 | 78.5 | 2 | 1 |", markdown);
        var html = StudyReportWriter.Html(Data());
        Assert.Contains("What to do for each language", html);
        Assert.Contains("<td>target-demos+mix:8 (m)</td><td>ngram</td><td>85.0</td>", html);
    }

    [Fact]
    public void The_LLM_is_a_block_of_its_own_compared_with_gold_on_the_same_test_items()
    {
        var table = Assert.Single(StudyReportWriter.Tables(Data()));
        Assert.DoesNotContain(table.Rows, r => r.Setting.StartsWith("llm-", StringComparison.Ordinal));
        Assert.Equal(["gold [ngram]", "few-gold:8 [ngram]", "target-demos [ngram]", "target-demos+mix:8 [ngram]", "transfer [ngram]",
            "gold [encoder:x]", "target-demos [encoder:x]", "target-demos+mix:8 [encoder:x]"], table.Rows.Select(r => r.Label));
        var llm = Assert.Single(table.LlmRows);
        Assert.Equal("llm-zero-shot", llm.Setting);
        // The whole test set (no limit): the gap is to the first student's gold on it, and is not tested.
        Assert.Equal(-16.0, llm.Cells[0]!.GapPoints!.Value, 9);
        Assert.Null(llm.Cells[0]!.PValue);
        Assert.Null(llm.Cells[1]);
        var markdown = StudyReportWriter.Markdown(Data());
        Assert.Contains("| LLM as classifier | cy | sw |", markdown);
        Assert.Matches(@"\| llm-zero-shot \| 65\.0[^|]* \(-16\.0\) \| – \|", markdown);

        // A limited LLM cell: no gap unless gold's scores on its own items are known, and then the gap is to those.
        var limited = Study with { LlmClassificationLimit = 100 };
        Assert.Null(Assert.Single(Assert.Single(StudyReportWriter.Tables(Data(limited))).LlmRows).Cells[0]!.GapPoints);
        var onItems = new Dictionary<string, IReadOnlyList<SeedScore>> { ["Classifycyllm-zero-shot"] = [new SeedScore(0, 0.50, 0.50), new SeedScore(1, 0.60, 0.60)] };
        Assert.Equal(10.0, Assert.Single(Assert.Single(StudyReportWriter.Tables(Data(limited, onItems))).LlmRows).Cells[0]!.GapPoints!.Value, 9);
    }
}
