using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Experiments;
using LowResGen.Llm;
using LowResGen.Reporting;
using LowResGen.Tests.Evaluation;

namespace LowResGen.Tests.Experiments;

/// <summary>
/// Learning curves (per_class as a list) and several students (classifiers) in one study: nested draws, the cells of each
/// size and student, resume, the curve data and its read-off on the gold curve.
/// </summary>
public sealed class StudyCurveTests() : StudyServerTest("lowresgen-curves-")
{
    [Fact]
    public async Task The_smaller_sizes_of_a_curve_are_subsets_of_the_larger_ones_for_the_same_seed()
    {
        var welsh = (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_human_parsed"), new ImportOptions { Language = "cy" },
            CancellationToken.None)).Examples;
        for (var seed = 0; seed < 5; seed++)
        {
            var sets = new[] { 8, 32, 100 }.Select(n => TrainingSetSampler.Balance(welsh, n, seed).Select(e => e.Id).ToHashSet()).ToArray();
            Assert.True(sets[0].IsSubsetOf(sets[1]), $"seed {seed}: the 8-per-class set is not inside the 32 one");
            Assert.True(sets[1].IsSubsetOf(sets[2]), $"seed {seed}: the 32-per-class set is not inside the 100 one");
            Assert.Equal(8 * BuiltInTasks.Massive10.Labels.Count, sets[0].Count);
        }

        // Different seeds draw different sets: nesting is within a seed, not one fixed order.
        Assert.NotEqual(TrainingSetSampler.Balance(welsh, 8, 0).Select(e => e.Id), TrainingSetSampler.Balance(welsh, 8, 1).Select(e => e.Id));
    }

    [Fact]
    public async Task Per_class_takes_a_list_and_a_one_size_study_keeps_its_cells()
    {
        var list = StudyDefinition.Parse(StudyFixtures.StudyToml(Server.BaseUrl).Replace("per_class = 4", "per_class = [4, 2]", StringComparison.Ordinal),
            Path.Combine(Root, "list.toml"));
        Assert.Equal([2, 4], list.Sizes);
        Assert.Equal(4, list.PerClass);
        Assert.True(list.IsLearningCurve);

        var scalar = StudyDefinition.Parse(StudyFixtures.StudyToml(Server.BaseUrl), Path.Combine(Root, "scalar.toml"));
        Assert.Equal([4], scalar.Sizes);
        Assert.False(scalar.IsLearningCurve);

        foreach (var (bad, problem) in new[] { ("[4, 4]", "listed twice"), ("[0, 4]", "positive"), ("[]", "empty"), ("\"4\"", "per_class") })
        {
            var error = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse(
                StudyFixtures.StudyToml(Server.BaseUrl).Replace("per_class = 4", $"per_class = {bad}", StringComparison.Ordinal), Path.Combine(Root, "bad.toml")));
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        }

        // The one-size study's cells (keys and names) are exactly the largest size's cells of the curve: a study that had
        // one size keeps its results, and growing it into a curve reuses them.
        var curveCells = await new StudyPlanner(list).PlanAsync(CancellationToken.None);
        var scalarCells = await new StudyPlanner(scalar).PlanAsync(CancellationToken.None);
        Assert.All(scalarCells, c => Assert.Contains(curveCells, k => k.Key == c.Key));
        Assert.All(scalarCells, c => Assert.Null(c.Variant));
        Assert.Contains(scalarCells, c => c.Name == "gold__intent__cy");
        Assert.Equal(scalarCells.Count(c => c.Kind == CellKind.Generate), curveCells.Count(c => c.Kind == CellKind.Generate));
        Assert.Equal(2 * scalarCells.Count(c => c.Kind is CellKind.Gold or CellKind.Evaluate), curveCells.Count(c => c.Kind is CellKind.Gold or CellKind.Evaluate));
        Assert.Equal(curveCells.Count, curveCells.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public async Task A_curve_study_generates_once_at_the_largest_size_and_evaluates_every_setting_at_each_size()
    {
        var file = Path.Combine(Root, "curve.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(Server.BaseUrl, "\"target-demos\", \"transfer\", \"few-gold:2\", \"target-demos+mix:1\"", "out")
            .Replace("languages = [\"cy\", \"sw\"]", "languages = [\"cy\"]", StringComparison.Ordinal)
            .Replace("per_class = 4", "per_class = [2, 4]", StringComparison.Ordinal));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);
        var cells = await new StudyPlanner(study).PlanAsync(CancellationToken.None);
        Assert.Single(cells, c => c.Kind == CellKind.Generate);
        Assert.Equal([2, 2, 4, 4], cells.Where(c => c.Kind == CellKind.Evaluate).Select(c => c.PerClass!.Value).Order());
        Assert.Equal([2, 4], cells.Where(c => c.Kind == CellKind.Gold).Select(c => c.PerClass!.Value).Order());
        Assert.Equal([2, 4], cells.Where(c => c.Setting == "transfer").Select(c => c.PerClass!.Value).Order());
        Assert.Equal(2, Assert.Single(cells, c => c.Setting == "few-gold:2").PerClass);

        var labels = BuiltInTasks.Massive10.Labels.Count;
        var trainer = new RecordingTrainer(ClassifierTrainerRegistry.BuiltIn().Create("ngram"));
        await using (var executor = new StudyCellExecutor(study, new LlmClientFactory(new LlmClientOptions { CachePath = Path.Combine(Root, "cache.db") }),
            () => trainer, null))
        {
            var result = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
            Assert.Empty(result.Failures);
            Assert.Equal(cells.Count, result.Ran);
        }

        // Generation ran once, for the largest size; every size trained on its own number per class.
        var generated = (await ExampleFiles.ReadAsync(Directory.GetFiles(Path.Combine(study.OutputDirectory, "cells"), "cy-generated.csv", SearchOption.AllDirectories).Single(),
            new ImportOptions { Language = "cy" }, CancellationToken.None)).Examples;
        Assert.Equal(labels * 4, generated.Count);
        var sizes = trainer.Sets.Select(s => s.Count).ToArray();
        Assert.Equal(study.Seeds * 4, sizes.Count(n => n == labels * 2)); // gold, target-demos and transfer at 2, and few-gold:2
        Assert.Equal(study.Seeds * 3, sizes.Count(n => n == labels * 4)); // gold, target-demos and transfer at 4
        Assert.Equal(study.Seeds, sizes.Count(n => n == labels * 3)); // mix:1 at 2
        Assert.Equal(study.Seeds, sizes.Count(n => n == labels * 5)); // mix:1 at 4

        // Resume: nothing runs twice.
        await using (var executor = new StudyCellExecutor(study, new LlmClientFactory(new LlmClientOptions { CachePath = Path.Combine(Root, "cache.db") }),
            () => trainer, null))
        {
            var again = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
            Assert.Equal((0, cells.Count), (again.Ran, again.Skipped));
        }

        var data = await StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        var curve = Assert.Single(LearningCurves.Of(data));
        Assert.Equal(("intent", "cy", "ngram"), (curve.Task, curve.Language, curve.Student));
        Assert.Equal(["gold", "few-gold:2", "target-demos", "target-demos+mix:1", "transfer"], curve.Lines.Select(l => l.Setting));
        Assert.All(curve.Lines.Where(l => l.Setting != "few-gold:2"), l => Assert.Equal([2, 4], l.Points.Select(p => p.PerClass)));
        Assert.Equal([2], curve.Lines.Single(l => l.Setting == "few-gold:2").Points.Select(p => p.PerClass));
        Assert.All(curve.Lines.SelectMany(l => l.Points), p =>
        {
            Assert.Equal(study.Seeds, p.Seeds);
            Assert.InRange(p.Mean, p.Low, p.High);
        });

        // The stored scores are the curve's points, and the one-size tables show the largest size.
        var gold4 = data.Cells.Single(c => c.Kind == CellKind.Gold && c.PerClass == 4);
        Assert.Equal(gold4.Scores.Average(s => s.Accuracy), curve.Gold!.Points[1].Mean, 12);
        Assert.Equal(gold4.Scores.Average(s => s.MacroF1), StudyReportWriter.Tables(data).Single().Rows[0].Cells[0]!.Mean, 12);
        Assert.Equal(7, LearningCurves.ReadOff(curve).Count); // every point of the four other settings (few-gold:2 has one)

        var markdown = StudyReportWriter.Markdown(data);
        Assert.Contains("## Learning curves", markdown);
        Assert.Contains("| setting | 2/class | 4/class |", markdown);
        Assert.Contains("target-demos (fake) at 4/class", markdown);
        Assert.Contains("class=\"curve\"", StudyReportWriter.Html(data));
    }

    [Fact]
    public void The_gold_equivalent_interpolates_the_gold_curve_linearly_in_log_size()
    {
        CurvePoint P(int n, double mean) => new(n, mean, mean, mean, 3);
        var gold = new[] { P(32, 0.70), P(8, 0.50), P(100, 0.80) };
        Assert.Equal(16, LearningCurves.GoldEquivalentOf(gold, 0.60)!.PerClass, 9); // halfway in log between 8 and 32: sqrt(8 * 32)
        Assert.Equal(32, LearningCurves.GoldEquivalentOf(gold, 0.70)!.PerClass, 9);
        Assert.Equal(Math.Exp(Math.Log(32) + (0.25 * (Math.Log(100) - Math.Log(32)))), LearningCurves.GoldEquivalentOf(gold, 0.725)!.PerClass, 9);
        Assert.Equal((8, -1), (LearningCurves.GoldEquivalentOf(gold, 0.45)!.PerClass, LearningCurves.GoldEquivalentOf(gold, 0.45)!.Relation));
        Assert.Equal((100, 1), (LearningCurves.GoldEquivalentOf(gold, 0.85)!.PerClass, LearningCurves.GoldEquivalentOf(gold, 0.85)!.Relation));
        Assert.Null(LearningCurves.GoldEquivalentOf([], 0.5));

        // A gold curve that dips: the first crossing from the smallest size up counts.
        Assert.Equal(Math.Sqrt(8 * 32), LearningCurves.GoldEquivalentOf([P(8, 0.5), P(32, 0.7), P(100, 0.6)], 0.6)!.PerClass, 9);

        // The same read-off from a crafted store, as the report prints it.
        var study = new StudyDefinition { Name = "curve", Tasks = ["intent"], Languages = ["cy"], Seeds = 3, PerClass = 100, PerClassSizes = [8, 32, 100] };
        CellRecord Cell(CellKind kind, string setting, int size, double accuracy) =>
            new($"{kind}{setting}{size}", kind, "intent", "cy", kind == CellKind.Evaluate ? "m" : null, kind == CellKind.Evaluate ? setting : null, setting,
                [.. Enumerable.Range(0, 3).Select(i => new SeedScore(i, accuracy, accuracy + ((i - 1) * 0.01)))], null, 0, 1, DateTimeOffset.UnixEpoch)
            { PerClass = size, Student = "ngram" };
        var data = new StudyReportData(study,
            [
                Cell(CellKind.Gold, "gold", 8, 0.50), Cell(CellKind.Gold, "gold", 32, 0.70), Cell(CellKind.Gold, "gold", 100, 0.80),
                Cell(CellKind.Evaluate, "target-demos", 8, 0.30), Cell(CellKind.Evaluate, "target-demos", 32, 0.55), Cell(CellKind.Evaluate, "target-demos", 100, 0.60),
            ], [], new Dictionary<string, IReadOnlyList<string>>());
        var readOff = LearningCurves.ReadOff(Assert.Single(LearningCurves.Of(data)));
        Assert.Equal(3, readOff.Count);
        var markdown = StudyReportWriter.Markdown(data);
        Assert.Contains("- target-demos (m) at 100/class (60.0 %) ≈ gold at 16/class", markdown);
        Assert.Contains("- target-demos (m) at 8/class (30.0 %) < gold at 8/class (below the smallest size)", markdown);
        Assert.Contains("| gold | 50.0 [49.0, 51.0] | 70.0 [69.0, 71.0] | 80.0 [79.0, 81.0] |", markdown);
    }

    [Fact]
    public async Task Every_student_a_study_names_is_its_own_rows_trained_on_the_same_sets()
    {
        var file = Path.Combine(Root, "students.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(Server.BaseUrl, "\"transfer\"", "out", "classifiers = [\"ngram\", \"encoder:fake\"]")
            .Replace("languages = [\"cy\", \"sw\"]", "languages = [\"cy\"]", StringComparison.Ordinal));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);
        Assert.Equal(["ngram", "encoder:fake"], study.Students);
        var cells = await new StudyPlanner(study).PlanAsync(CancellationToken.None);
        Assert.Equal(["encoder:fake", "encoder:fake", "ngram", "ngram"], cells.Select(c => c.Student!).Order(StringComparer.Ordinal));
        Assert.Contains(cells, c => c.Name == "gold__intent__cy__encoder-fake");

        var encoder = new FakeEncoder();
        var registry = ClassifierTrainerRegistry.BuiltIn().WithEncoders(model => model == "fake" ? encoder : throw new ArgumentException(model));
        await using (var executor = new StudyCellExecutor(study, new LlmClientFactory(new LlmClientOptions { CachePath = Path.Combine(Root, "cache.db") }),
            registry, null))
        {
            var result = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
            Assert.Empty(result.Failures);
        }

        Assert.True(encoder.TextsEmbedded > 0);
        var data = await StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        var table = Assert.Single(StudyReportWriter.Tables(data));
        Assert.Equal(["gold [ngram]", "transfer [ngram]", "gold [encoder:fake]", "transfer [encoder:fake]"], table.Rows.Select(r => r.Label));
        Assert.NotEqual(table.Rows[0].Cells[0]!.Mean, table.Rows[2].Cells[0]!.Mean);
        // Each student's gap is to its own gold.
        var encoderGold = data.Cells.Single(c => c.Kind == CellKind.Gold && c.Student == "encoder:fake");
        var encoderTransfer = data.Cells.Single(c => c.Kind == CellKind.Baseline && c.Student == "encoder:fake");
        Assert.Equal((encoderTransfer.Scores.Average(s => s.MacroF1) - encoderGold.Scores.Average(s => s.MacroF1)) * 100, table.Rows[3].Cells[0]!.GapPoints!.Value, 9);

        // The answer table shows each setting with its better student.
        var answers = Assert.Single(AnswerTables.Of(data));
        var gold = answers.Rows.Single(r => r.Setting == "gold");
        var better = data.Cells.Where(c => c.Kind == CellKind.Gold).MaxBy(c => c.Scores.Average(s => s.Accuracy))!;
        Assert.Equal(better.Student, gold.Student);
        Assert.Contains("| gold [encoder:fake] |", StudyReportWriter.Markdown(data));

        // A misspelt student fails when the study is read.
        var error = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse(
            StudyFixtures.StudyToml(Server.BaseUrl, "\"transfer\"", "out", "classifiers = [\"ngram\", \"encoder:\"]"), file));
        Assert.Contains("classifiers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_limited_LLM_cell_is_compared_with_gold_rescored_on_exactly_its_test_items()
    {
        var file = Path.Combine(Root, "llm.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(Server.BaseUrl, "", "out", "llm_classification = [\"zero-shot\"]\nllm_classification_limit = 20")
            .Replace("languages = [\"cy\", \"sw\"]", "languages = [\"cy\"]", StringComparison.Ordinal));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);
        await using (var executor = new StudyCellExecutor(study, new LlmClientFactory(new LlmClientOptions { CachePath = Path.Combine(Root, "cache.db") }),
            () => ClassifierTrainerRegistry.BuiltIn().Create("ngram"), null))
        {
            Assert.Empty((await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None)).Failures);
        }

        var data = await StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        var llm = data.Cells.Single(c => c.Kind == CellKind.Classify);
        var gold = data.Cells.Single(c => c.Kind == CellKind.Gold);
        var onItems = data.GoldOnLlmItems[llm.Key];
        Assert.Equal(gold.Scores.Select(s => s.Seed), onItems.Select(s => s.Seed));

        // Recomputed here from the two predictions files: gold's accuracy per seed on the 20 items the LLM classified.
        var items = (await PredictionsFile.ReadAsync(new EvaluationOutputs(llm.ArtifactPath!).Predictions, CancellationToken.None)).Select(p => p.Id).ToHashSet();
        Assert.Equal(20, items.Count);
        var goldRows = await PredictionsFile.ReadAsync(new EvaluationOutputs(gold.ArtifactPath!).Predictions, CancellationToken.None);
        foreach (var seed in onItems)
        {
            var mine = goldRows.Where(p => p.Seed == seed.Seed && items.Contains(p.Id)).ToArray();
            Assert.Equal(20, mine.Length);
            Assert.Equal((double)mine.Count(p => p.Predicted == p.Gold) / mine.Length, seed.Accuracy, 12);
        }

        var row = Assert.Single(Assert.Single(StudyReportWriter.Tables(data)).LlmRows);
        Assert.Equal((llm.Scores.Average(s => s.MacroF1) - onItems.Average(s => s.MacroF1)) * 100, row.Cells[0]!.GapPoints!.Value, 9);
        Assert.Contains("the at most 20 items each LLM cell classified", StudyReportWriter.Markdown(data), StringComparison.Ordinal);
    }
}
