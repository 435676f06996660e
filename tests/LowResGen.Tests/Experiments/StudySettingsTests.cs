using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.Experiments;
using LowResGen.Llm;
using LowResGen.Reporting;

namespace LowResGen.Tests.Experiments;

/// <summary>
/// The settings beside generation in one study (transfer, few-gold:k, mix:k), on the shared data and the deterministic
/// served model: a recording trainer shows exactly which examples each setting trained on.
/// </summary>
public sealed class StudySettingsTests() : StudyServerTest("lowresgen-settings-")
{
    [Fact]
    public void Setting_names_parse_and_bad_ones_are_clear_errors()
    {
        Assert.Equal((StudySettingKind.Transfer, 0), (StudySetting.Parse("transfer").Kind, StudySetting.Parse("transfer").GoldPerClass));
        Assert.Equal(("few-gold:8", 8), (StudySetting.Parse("few-gold:8").Name, StudySetting.Parse("few-gold:8").GoldPerClass));
        var mix = StudySetting.Parse("target-demos+mix:8");
        Assert.Equal(("target-demos+mix:8", "target-demos", 8), (mix.Name, mix.Generation!.Name, mix.GoldPerClass));
        Assert.Equal("translate+revision+mix:4", StudySetting.Parse("translate+mix:4+revision").Name);
        Assert.Throws<FormatException>(() => StudySetting.Parse("transfer+mix:8"));
        Assert.Throws<FormatException>(() => StudySetting.Parse("few-gold"));
        Assert.Throws<FormatException>(() => StudySetting.Parse("mix:8"));
        Assert.Throws<FormatException>(() => StudySetting.Parse("target-demos+mix:0"));
    }

    [Fact]
    public async Task Transfer_few_gold_and_mix_train_on_exactly_their_sets_and_are_rows_of_the_same_table()
    {
        var file = Path.Combine(Root, "settings.toml");
        await File.WriteAllTextAsync(file, StudyFixtures.StudyToml(Server.BaseUrl, "\"target-demos\", \"transfer\", \"few-gold:3\", \"target-demos+mix:2\"", "out")
            .Replace("languages = [\"cy\", \"sw\"]", "languages = [\"cy\"]", StringComparison.Ordinal));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);

        var cells = await new StudyPlanner(study).PlanAsync(CancellationToken.None);
        Assert.Single(cells, c => c.Kind == CellKind.Generate); // target-demos and target-demos+mix:2 share one generated set
        Assert.Equal(2, cells.Count(c => c.Kind == CellKind.Evaluate));
        Assert.All(cells.Where(c => c.Kind == CellKind.Baseline), c => Assert.Null(c.Model));
        Assert.Equal(["few-gold:3", "transfer"], cells.Where(c => c.Kind == CellKind.Baseline).Select(c => c.Setting).Order());

        var trainer = new RecordingTrainer(ClassifierTrainerRegistry.BuiltIn().Create(study.Classifier));
        await using (var executor = new StudyCellExecutor(study, new LlmClientFactory(new LlmClientOptions { CachePath = Path.Combine(Root, "cache.db") }),
            () => trainer, null))
        {
            var result = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
            Assert.Empty(result.Failures);
        }

        string Key(string text) => TextNormalization.Reference.Apply(text);
        var english = await ReadAsync("en", "train_human_parsed");
        var welsh = await ReadAsync("cy", "train_human_parsed");
        var generated = (await ExampleFiles.ReadAsync(Directory.GetFiles(Path.Combine(study.OutputDirectory, "cells"), "cy-generated.csv", SearchOption.AllDirectories).Single(),
            new ImportOptions { Language = "cy" }, CancellationToken.None)).Examples;
        var englishKeys = english.Select(e => Key(e.Text)).ToHashSet();
        var welshKeys = welsh.Select(e => Key(e.Text)).ToHashSet();
        var labels = BuiltInTasks.Massive10.Labels.Count;
        var sets = trainer.Sets.ToArray();
        Assert.Equal(study.Seeds * 5, sets.Length); // gold, target-demos, mix, transfer, few-gold: one training per seed each

        // transfer: English gold only, the study's per_class of every class.
        var transfer = sets.Where(s => s.All(t => englishKeys.Contains(Key(t.Text)) && !welshKeys.Contains(Key(t.Text)))).ToArray();
        Assert.Equal(study.Seeds, transfer.Length);
        Assert.All(transfer, s => Assert.Equal(labels * study.PerClass, s.Count));

        // few-gold:3: exactly 3 Welsh gold examples of every class.
        var fewGold = sets.Where(s => s.Count == labels * 3).ToArray();
        Assert.Equal(study.Seeds, fewGold.Length);
        Assert.All(fewGold, s => Assert.All(s.GroupBy(t => t.Label), g => Assert.Equal(3, g.Count())));
        Assert.All(fewGold, s => Assert.All(s, t => Assert.Contains(Key(t.Text), welshKeys)));

        // mix:2: the generated set (per_class of each class) plus exactly the 2 gold examples per class that mix:2 names.
        var added = StudySetting.MixedGold(welsh, BuiltInTasks.Massive10.Labels, 2, study.GenerationSeed);
        Assert.Equal(labels * 2, added.Count);
        var mixed = sets.Where(s => s.Count == labels * (study.PerClass + 2)).ToArray();
        Assert.Equal(study.Seeds, mixed.Length);
        Assert.All(mixed, s =>
        {
            Assert.All(added, a => Assert.Contains(s, t => t.Text == Key(a.Text) && t.Label == a.Label));
            Assert.Equal(labels * study.PerClass, s.Count(t => generated.Any(g => Key(g.Text) == t.Text && g.Label == t.Label)));
        });

        var data = await StudyReportBuilder.GatherAsync(study, CancellationToken.None);
        var table = Assert.Single(StudyReportWriter.Tables(data));
        Assert.Equal(["gold", "few-gold:3", "target-demos", "target-demos+mix:2", "transfer"], table.Rows.Select(r => r.Setting));
        Assert.All(table.Rows, r => Assert.NotNull(Assert.Single(r.Cells)));
    }

    private static async Task<IReadOnlyList<Example>> ReadAsync(string language, string part) =>
        (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", language, part), new ImportOptions { Language = language }, CancellationToken.None)).Examples;
}
