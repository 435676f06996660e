using LowResGen.Common;
using LowResGen.Evaluation;
using LowResGen.Reporting;
using LowResGen.Tests.Evaluation;

namespace LowResGen.Tests.Reporting;

public sealed class ResultsReportTests : IDisposable
{
    private readonly string _directory = EvaluationData.TempDirectory();

    // de listed first on purpose: columns follow the reference study's language order (en before de).
    private static IReadOnlyList<LabeledResults> Results() =>
    [
        new("de", [new("generated", 0, 0.70, 0.72), new("gold", 0, 0.80, 0.81), new("generated", 1, 0.74, 0.75), new("gold", 1, 0.84, 0.85)]),
        new("en", [new("gold", 0, 0.90, 0.91), new("gold", 1, 0.94, 0.95), new("generated", 0, 0.91, 0.90), new("generated", 1, 0.93, 0.94)]),
    ];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Tables_have_languages_as_columns_settings_as_rows_and_the_reference_first()
    {
        var report = ResultsReport.From(Results());

        Assert.Equal(["en", "de"], report.Columns);
        Assert.Equal(["gold", "generated"], report.Settings);
        Assert.Equal(0.82, report.Cell("gold", "de", ResultMetric.F1).Mean, 12);
        Assert.Equal(Math.Sqrt(0.0008), report.Cell("gold", "de", ResultMetric.F1).Std, 12);
        Assert.Equal(-0.10, report.Gap("generated", "de", ResultMetric.F1)!.MeanDifference, 12);
        Assert.Equal(-0.01, report.Gap("generated", "en", ResultMetric.Accuracy)!.MeanDifference, 12);

        var markdown = report.ToMarkdown();
        Assert.Contains("## Macro-F1: mean\n\n| setting | en | de | average |\n|---|---:|---:|---:|\n| gold | 0.920 | 0.820 | 0.870 |\n| generated | 0.920 | 0.720 | 0.820 |", markdown);
        Assert.Contains("## Macro-F1: std\n\n| setting | en | de |\n", markdown);
        Assert.Contains("| gold | 0.028 | 0.028 |", markdown);
        // de: both seeds exactly 10 points lower -> zero spread, certain difference.
        Assert.Contains("| generated | 0.0 ns | -10.0 *** | -5.0 |", markdown);
        Assert.Contains("## Accuracy: mean", markdown);
    }

    [Fact]
    public void Gap_marks_are_after_Holm_over_settings_and_languages_and_the_uncorrected_p_is_listed()
    {
        // Three languages, one setting: gaps of -2, -2.2 and -10 points over three seeds with small spread.
        static LabeledResults Column(string language, double gap, double noise) => new(language,
        [
            .. Enumerable.Range(0, 3).Select(s => new ResultRow("gold", s, 0.80 + (s * 0.01), 0.8)),
            .. Enumerable.Range(0, 3).Select(s => new ResultRow("generated", s, 0.80 + (s * 0.01) + gap + (s == 1 ? noise : 0), 0.8)),
        ]);
        var report = ResultsReport.From([Column("en", -0.02, 0.0097), Column("de", -0.022, 0.014), Column("cy", -0.10, 0.001)]);

        var uncorrected = report.Columns.Select(c => report.Gap("generated", c, ResultMetric.F1)!.TTest.PValue).ToArray();
        var holm = report.Columns.Select(c => report.HolmPValue("generated", c, ResultMetric.F1)).ToArray();
        Assert.Equal(LowResGen.Evaluation.Metrics.HolmCorrection.Adjust(uncorrected), holm);
        // en is significant on its own but not after the correction.
        var en = report.Columns.ToList().IndexOf("en");
        Assert.True(uncorrected[en] < 0.05, $"p = {uncorrected[en]}");
        Assert.True(holm[en] >= 0.05, $"Holm p = {holm[en]}");
        Assert.Equal("ns", report.HolmMark("generated", "en", ResultMetric.F1));
        Assert.Equal("*", report.Gap("generated", "en", ResultMetric.F1)!.Mark);

        var markdown = report.ToMarkdown();
        Assert.Contains("after a Holm correction", markdown);
        Assert.Contains("p-values of the gaps (paired t, uncorrected; Holm over 3 comparisons)", markdown);
        Assert.Contains(FormattableString.Invariant($"{uncorrected[en]:0.0000} (Holm {holm[en]:0.0000})"), markdown);
    }

    [Fact]
    public async Task Loads_directories_by_folder_name_and_writes_markdown_and_gap_plots()
    {
        foreach (var results in Results())
        {
            await ResultsFile.WriteAsync(Path.Combine(_directory, "runs", results.Column, "results.csv"), results.Rows, CancellationToken.None);
        }

        var report = await ResultsReport.LoadAsync([Path.Combine(_directory, "runs")], reference: null, CancellationToken.None);
        var written = await report.WriteAsync(Path.Combine(_directory, "report"), CancellationToken.None);

        Assert.Equal(["en", "de"], report.Columns);
        Assert.Equal(["report.md", "gap-f1.png", "gap-accuracy.png"], written.Select(Path.GetFileName));
        Assert.Equal(report.ToMarkdown(), File.ReadAllText(written[0]));
        Assert.All(written.Skip(1), p => Assert.True(EvaluationData.IsPng(p), p));
    }

    [Fact]
    public async Task Named_inputs_and_another_reference_are_honoured()
    {
        var file = Path.Combine(_directory, "x", "results.csv");
        await ResultsFile.WriteAsync(file, Results()[1].Rows, CancellationToken.None);

        var report = await ResultsReport.LoadAsync([$"english={file}"], reference: "generated", CancellationToken.None);

        Assert.Equal(["english"], report.Columns);
        Assert.Equal(["generated", "gold"], report.Settings);
        Assert.Equal(0.0, report.Gap("gold", "english", ResultMetric.F1)!.MeanDifference, 12);
    }

    [Fact]
    public async Task Missing_inputs_and_bad_rows_name_the_file()
    {
        var missing = Path.Combine(_directory, "nope");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ResultsReport.LoadAsync([missing], null, CancellationToken.None));
        Assert.Contains(missing, error.Message);

        var bad = Path.Combine(_directory, "bad.csv");
        await File.WriteAllTextAsync(bad, "setting,seed,f1,accuracy\ngold,0,0.5,0.5\ngold,1,high,0.5\n");
        var parse = await Assert.ThrowsAsync<DataFormatException>(() => ResultsFile.ReadAsync(bad, CancellationToken.None));
        Assert.Equal((3L, "f1"), (parse.Line, parse.Field));

        await File.WriteAllTextAsync(bad, "setting,seed,f1\ngold,0,0.5\n");
        var column = await Assert.ThrowsAsync<DataFormatException>(() => ResultsFile.ReadAsync(bad, CancellationToken.None));
        Assert.Contains("accuracy", column.Message);
    }
}
