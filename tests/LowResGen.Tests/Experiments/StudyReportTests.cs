using LowResGen.Experiments;
using LowResGen.Reporting;

namespace LowResGen.Tests.Experiments;

public class StudyReportTests
{
    private static StudyReportData Data()
    {
        var study = new StudyDefinition { Name = "report-test", Tasks = ["intent"], Languages = ["cy", "sw"], Seeds = 3, Classifier = "ngram" };
        CellRecord Cell(CellKind kind, string language, string? model, string setting, params double[] f1) =>
            new($"{kind}{language}{setting}", kind, "intent", language, model, kind == CellKind.Gold ? null : setting, setting,
                [.. f1.Select((f, i) => new SeedScore(i, f, f))], null, 300, 2, DateTimeOffset.UnixEpoch);
        return new StudyReportData(
            study,
            [
                Cell(CellKind.Gold, "cy", null, "gold", 0.90, 0.91, 0.92),
                Cell(CellKind.Gold, "sw", null, "gold", 0.80, 0.81, 0.82),
                Cell(CellKind.Evaluate, "cy", "tiny", "target-demos", 0.70, 0.71, 0.72),
                Cell(CellKind.Evaluate, "sw", "tiny", "target-demos", 0.805, 0.815, 0.825),
            ],
            [
                new ReportedExample("intent", "cy", "tiny", "target-demos", "alarm_query", "Pa larymau sydd wedi'i osod?", "kept", "judge: yes"),
                new ReportedExample("intent", "cy", "tiny", "target-demos", "weather_query", "Wie wird das Wetter?", "rejected", "language: de 0.97"),
            ],
            new Dictionary<string, string>(),
            (a, b) => a.Zip(b).All(p => p.First < p.Second) ? 0.01 : 0.5);
    }

    [Fact]
    public void Tables_give_mean_std_gap_and_significance()
    {
        var table = Assert.Single(StudyReportWriter.Tables(Data()));
        Assert.Equal(["gold", "target-demos"], table.Rows.Select(r => r.Setting));
        var cy = table.Rows[1].Cells[0]!;
        Assert.Equal(0.71, cy.Mean, 6);
        Assert.Equal(0.01, cy.Std, 6);
        Assert.Equal(-20, cy.GapPoints!.Value, 6);
        Assert.True(cy.Significant);
        Assert.False(table.Rows[1].Cells[1]!.Significant);
        Assert.Contains("| target-demos | 71.0 ± 1.0 (-20.0*) | 81.5 ± 1.0 (+0.5) |", StudyReportWriter.Markdown(Data()));
    }

    [Fact]
    public void Significance_is_marked_after_Holm_over_the_table_and_the_uncorrected_p_is_kept()
    {
        // Four gaps (two strategies x two languages) with uncorrected p 0.001, 0.02, 0.03, 0.04: only the first survives Holm
        // (0.004; then 0.06, 0.06, 0.06), though all four are below 0.05 on their own.
        var study = new StudyDefinition { Name = "holm", Tasks = ["intent"], Languages = ["cy", "sw"], Seeds = 3, PerClass = 10 };
        var p = new Dictionary<double, double> { [0.70] = 0.001, [0.71] = 0.02, [0.72] = 0.03, [0.73] = 0.04 };
        CellRecord Cell(CellKind kind, string language, string setting, double f1) =>
            new($"{kind}{language}{setting}", kind, "intent", language, kind == CellKind.Gold ? null : "m", kind == CellKind.Gold ? null : setting, setting,
                [.. Enumerable.Range(0, 3).Select(i => new SeedScore(i, f1 + (i * 0.001), f1))], null, 0, 1, DateTimeOffset.UnixEpoch,
                new LowResGen.Evaluation.Metrics.ClassCounts(10, new Dictionary<string, int> { ["a"] = 10, ["b"] = setting == "b" && language == "sw" ? 6 : 10 }));
        var data = new StudyReportData(study,
            [
                Cell(CellKind.Gold, "cy", "gold", 0.9), Cell(CellKind.Gold, "sw", "gold", 0.9),
                Cell(CellKind.Evaluate, "cy", "a", 0.70), Cell(CellKind.Evaluate, "sw", "a", 0.71),
                Cell(CellKind.Evaluate, "cy", "b", 0.72), Cell(CellKind.Evaluate, "sw", "b", 0.73),
            ],
            [], new Dictionary<string, string>(), (setting, _) => p[Math.Round(setting[0], 2)]);

        var table = Assert.Single(StudyReportWriter.Tables(data));
        var cells = table.Rows.Skip(1).SelectMany(r => r.Cells).ToArray();
        Assert.Equal([0.001, 0.02, 0.03, 0.04], cells.Select(c => c!.PValue!.Value));
        Assert.Equal([0.004, 0.06, 0.06, 0.06], cells.Select(c => Math.Round(c!.HolmPValue!.Value, 6)));
        Assert.Equal([true, false, false, false], cells.Select(c => c!.Significant));

        var markdown = StudyReportWriter.Markdown(data);
        Assert.Contains("after a Holm correction", markdown);
        Assert.Contains("| a | 70.1 ± 0.1 (-20.0*) | 71.1 ± 0.1 (-19.0) |", markdown);
        Assert.Contains("| a | 0.0010 (Holm 0.0040) | 0.0200 (Holm 0.0600) |", markdown);
        Assert.Contains("after Holm over the 4 comparisons of this table", markdown);
        // The short cell is marked with what it trained on, and listed with its short class.
        Assert.Contains("(-17.0) ⚠ 6–10 of 10/class |", markdown);
        Assert.Contains("| intent sw m b | Evaluate | 6–10 of 10 | b 6/10 |", markdown);
    }

    [Fact]
    public async Task Html_report_renders_in_headless_chromium_and_its_filter_works()
    {
        var dir = Directory.CreateTempSubdirectory("lowresgen-report-").FullName;
        var html = Path.Combine(dir, "report.html");
        await StudyReportWriter.WriteAsync(Data(), html, Path.Combine(dir, "report.md"), CancellationToken.None);

        var dom = await HeadlessChromium.DumpDomAsync(new Uri(html).AbsoluteUri + "?filter=rejected", Path.Combine(dir, "profile"));
        Assert.Contains("data-ready=\"yes\"", dom);
        Assert.Contains("<span id=\"shown\">1</span>", dom);
        Assert.Contains("wedi'i", System.Net.WebUtility.HtmlDecode(dom));

        var png = Path.Combine(dir, "report.png");
        await HeadlessChromium.ScreenshotAsync(new Uri(html).AbsoluteUri, png, Path.Combine(dir, "profile2"));
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 5000);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
    }
}
