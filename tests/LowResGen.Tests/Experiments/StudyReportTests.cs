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
            new Dictionary<string, IReadOnlyList<string>>(),
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
            [], new Dictionary<string, IReadOnlyList<string>>(), (setting, _) => p[Math.Round(setting[0], 2)]);

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
    public async Task Html_report_renders_in_headless_chromium_and_pages_and_filters_examples_loaded_from_its_data_folder()
    {
        // 150 examples of cy and 100 of sw in two data files; one of them rejected.
        var examples = Enumerable.Range(0, 150).Select(i => new ReportedExample("intent", "cy", "tiny", "target-demos", "alarm_query", $"cy text {i:000} wedi'i", i == 7 ? "rejected: language" : "kept", "judge: yes"))
            .Concat(Enumerable.Range(0, 100).Select(i => new ReportedExample("intent", "sw", "tiny", "target-demos", "weather_query", $"sw text {i:000}", "kept", "")))
            .ToArray();
        var data = Data() with { Examples = examples };
        var dir = Directory.CreateTempSubdirectory("lowresgen-report-").FullName;
        using var cleanup = new DeleteOnDispose(dir);
        var html = Path.Combine(dir, "report.html");
        await StudyReportWriter.WriteAsync(data, html, Path.Combine(dir, "report.md"), CancellationToken.None);
        Assert.Equal(["examples-0.js", "examples-1.js"], Directory.GetFiles(Path.Combine(dir, "report-data")).Select(Path.GetFileName).Order());
        Assert.DoesNotContain("cy text 000", await File.ReadAllTextAsync(html));

        // Page 2 without filters: rows 101-200, the last 50 of cy and the first 50 of sw, counted from the index.
        var page2 = System.Net.WebUtility.HtmlDecode(await HeadlessChromium.DumpDomAsync(new Uri(html).AbsoluteUri + "?page=2", Path.Combine(dir, "p1")));
        Assert.Contains("data-ready=\"yes\"", page2);
        Assert.Contains("rows 101–200 of 250, page 2 of 3", page2);
        Assert.Contains("cy text 100 wedi'i", page2);
        Assert.Contains("sw text 049", page2);
        Assert.DoesNotContain("cy text 099", page2);
        Assert.DoesNotContain("sw text 050", page2);

        // A row filter loads every cell and counts the true matches: 1 of 250.
        var filtered = await HeadlessChromium.DumpDomAsync(new Uri(html).AbsoluteUri + "?verdict=rejected", Path.Combine(dir, "p2"));
        Assert.Contains("<span id=\"shown\">1</span> of <span id=\"total\">250</span>", filtered);
        Assert.Contains("cy text 007", filtered);

        // A column filter on sw and a descending sort by text: sw's last example first.
        var sorted = await HeadlessChromium.DumpDomAsync(new Uri(html).AbsoluteUri + "?lang=sw&sort=text&desc", Path.Combine(dir, "p3"));
        Assert.Contains("<span id=\"shown\">100</span> of <span id=\"total\">250</span>", sorted);
        Assert.Matches("<tbody id=\"rows\"><tr><td>intent</td><td>sw</td><td>tiny</td><td>target-demos</td><td>weather_query</td><td>sw text 099</td>", sorted);

        var png = Path.Combine(dir, "report.png");
        await HeadlessChromium.ScreenshotAsync(new Uri(html).AbsoluteUri, png, Path.Combine(dir, "p4"));
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 5000);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
    }

    [Fact]
    public async Task The_report_of_a_reference_sized_study_stays_under_10_MB_of_HTML()
    {
        // The reference study's shape: 3 tasks x 11 languages x 4 models x 7 strategies, gold, 3 LLM settings: 2,277 cells.
        var reference = await StudyDefinition.LoadAsync(ReferenceStudyExampleTests.FindCheckoutFile(Path.Combine("docs", "examples", "reference-study.toml")), CancellationToken.None);
        var cells = new List<CellRecord>();
        var examples = new List<ReportedExample>();
        var confusion = new Dictionary<string, IReadOnlyList<string>>();
        var funnels = new List<GenerationFunnel>();
        var random = new Random(1);
        SeedScore[] Scores(double level) => [.. Enumerable.Range(0, reference.Seeds).Select(s => new SeedScore(s, level + (random.NextDouble() * 0.05), level))];
        var counts = new LowResGen.Evaluation.Metrics.ClassCounts(100, new Dictionary<string, int> { ["a"] = 100, ["b"] = 92 });
        foreach (var task in reference.Tasks)
        {
            foreach (var language in reference.Languages)
            {
                cells.Add(new CellRecord($"g{task}{language}", CellKind.Gold, task, language, null, null, "gold", Scores(0.8), null, 0, 5, DateTimeOffset.UnixEpoch));
                foreach (var model in reference.Models)
                {
                    foreach (var strategy in reference.Strategies)
                    {
                        var key = $"{task}{language}{model.Name}{strategy}";
                        cells.Add(new CellRecord("G" + key, CellKind.Generate, task, language, model.Name, strategy, strategy, [], null, 1000, 60, DateTimeOffset.UnixEpoch, counts));
                        cells.Add(new CellRecord("E" + key, CellKind.Evaluate, task, language, model.Name, strategy, strategy, Scores(0.7), null, 0, 5, DateTimeOffset.UnixEpoch, counts));
                        examples.AddRange(Enumerable.Range(0, 20).Select(i => new ReportedExample(task, language, model.Name, strategy, "label", $"example text {key} {i}", "kept", "attempt 1")));
                        funnels.Add(new GenerationFunnel(task, language, model.Name, strategy, [new LowResGen.Generation.StageCount("parse", 120, 110), new LowResGen.Generation.StageCount("judge", 110, 100)]));
                        confusion[$"{task} {language} {model.Name} {strategy}"] = [.. Enumerable.Range(0, 10).Select(s => $"/study/cells/evaluate-{key}/confusion/{strategy}-seed{s}.png")];
                    }

                    foreach (var setting in reference.LlmClassification)
                    {
                        cells.Add(new CellRecord($"L{task}{language}{model.Name}{setting}", CellKind.Classify, task, language, model.Name, null, "llm-" + setting, Scores(0.6), null, 500, 30, DateTimeOffset.UnixEpoch));
                    }
                }
            }
        }

        Assert.Equal(2277, cells.Count);
        var data = new StudyReportData(reference with { Output = "." }, cells, examples, confusion,
            (a, b) => LowResGen.Evaluation.Metrics.PairedComparison.TTestOf([.. a.Zip(b, (x, y) => x - y)]).PValue)
        { Funnels = funnels };
        var dir = Directory.CreateTempSubdirectory("lowresgen-big-report-").FullName;
        var html = Path.Combine(dir, "report.html");

        await StudyReportWriter.WriteAsync(data, html, Path.Combine(dir, "report.md"), CancellationToken.None);
        using var cleanup = new DeleteOnDispose(dir);

        var size = new FileInfo(html).Length;
        Assert.True(size < 10_000_000, $"report.html is {size:N0} bytes");
        var text = await File.ReadAllTextAsync(html);
        Assert.DoesNotContain("example text", text);
        Assert.Equal(924, Directory.GetFiles(Path.Combine(dir, "report-data"), "examples-*.js").Length);
        Assert.Contains($"<span id=\"total\">{examples.Count}</span>", text);
        Assert.Contains("Shortfalls: 1848 cells below 100 per class", text);
    }
}

