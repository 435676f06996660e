using LowResGen.Common;
using LowResGen.Experiments;

namespace LowResGen.Tests.Experiments;

public class StudyPlannerTests
{
    private static string StudyToml(string strategies = "\"target-demos\", \"sl\"", int seeds = 2) => $"""
        name = "tiny"
        output = "out"
        tasks = ["intent"]
        languages = ["cy", "sw"]
        strategies = [{strategies}]
        seeds = {seeds}
        per_class = 5

        [data]
        train = "{SharedData.Datasets.Replace("\\", "/")}/kinit-synthetic/{"{task}"}/{"{lang}"}-train_human_parsed.csv"
        test = "{SharedData.Datasets.Replace("\\", "/")}/kinit-synthetic/{"{task}"}/{"{lang}"}-test.csv"

        [[models]]
        name = "tiny-gguf"
        model = "tiny.gguf"
        """;

    private static Task<IReadOnlyList<StudyCell>> PlanAsync(string toml) =>
        new StudyPlanner(StudyDefinition.Parse(toml, Path.Combine(Path.GetTempPath(), "study.toml"))).PlanAsync(CancellationToken.None);

    [Fact]
    public async Task Expands_the_grid_with_gold_baselines()
    {
        var cells = await PlanAsync(StudyToml());
        Assert.Equal(2, cells.Count(c => c.Kind == CellKind.Gold));
        Assert.Equal(4, cells.Count(c => c.Kind == CellKind.Generate));
        Assert.Equal(4, cells.Count(c => c.Kind == CellKind.Evaluate));
        Assert.Equal(cells.Count, cells.Select(c => c.Key).Distinct().Count());
        Assert.Equal(cells.Count, cells.Select(c => c.Name).Distinct().Count());
        Assert.All(cells.Where(c => c.Kind == CellKind.Evaluate), e =>
            Assert.Contains(cells, g => g.Kind == CellKind.Generate && g.Key == e.DependsOn));
    }

    [Fact]
    public async Task Keys_are_stable_and_a_changed_strategy_changes_only_its_own_cells()
    {
        var before = await PlanAsync(StudyToml());
        var again = await PlanAsync(StudyToml());
        Assert.Equal(before.Select(c => c.Key), again.Select(c => c.Key));

        var edited = await PlanAsync(StudyToml("\"target-demos\", \"sl+revision\""));
        var changed = edited.Select(c => c.Key).Except(before.Select(c => c.Key)).ToArray();
        Assert.Equal(4, changed.Length);
        Assert.All(edited.Where(c => changed.Contains(c.Key)), c => Assert.Equal("sl+revision", c.Strategy));
    }

    [Fact]
    public async Task Changing_the_seeds_redoes_evaluations_but_not_generation()
    {
        var before = await PlanAsync(StudyToml(seeds: 2));
        var after = await PlanAsync(StudyToml(seeds: 3));
        var unchanged = after.Where(c => before.Any(b => b.Key == c.Key)).ToArray();
        Assert.All(unchanged, c => Assert.Equal(CellKind.Generate, c.Kind));
        Assert.Equal(4, unchanged.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Shards_partition_the_cells_by_whole_chains(int count)
    {
        var cells = await PlanAsync(StudyToml());
        var shards = Enumerable.Range(0, count).Select(i => StudyPlanner.Shard(cells, i, count)).ToArray();
        Assert.Equal(cells.Count, shards.Sum(s => s.Count));
        Assert.Equal(cells.Select(c => c.Key).Order(), shards.SelectMany(s => s).Select(c => c.Key).Order());
        foreach (var shard in shards)
        {
            Assert.All(shard.Where(c => c.DependsOn is not null), c => Assert.Contains(shard, d => d.Key == c.DependsOn));
        }
    }

    [Fact]
    public void Invalid_study_file_names_file_and_field()
    {
        var error = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse(StudyToml().Replace("[\"cy\", \"sw\"]", "[\"cy\", \"xx\"]"), "my-study.toml"));
        Assert.Contains("my-study.toml", error.Message);
        Assert.Equal("languages", error.Field);

        var strategy = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse(StudyToml("\"target-demos+telepathy\""), "my-study.toml"));
        Assert.Equal("strategies", strategy.Field);
        Assert.Contains("telepathy", strategy.Message);

        var syntax = Assert.Throws<DataFormatException>(() => StudyDefinition.Parse("tasks = [\n", "broken.toml"));
        Assert.Contains("broken.toml", syntax.Message);
    }

    [Fact]
    public void Slurm_scripts_run_every_shard_then_merge_after_all_succeeded()
    {
        var study = StudyDefinition.Parse(StudyToml(), "/tmp/My Study/study.toml");
        var (array, merge, submit) = SlurmScriptWriter.Write("/tmp/My Study/study.toml", study, new SlurmOptions(Shards: 4, Partition: "gpu", Gpus: "1"));
        Assert.Contains("#SBATCH --array=0-3", array);
        Assert.Contains("#SBATCH --partition=gpu", array);
        Assert.DoesNotContain("--partition", merge); // the merge needs no GPU
        Assert.DoesNotContain("--cpus-per-task", array); // nothing hard-coded: the cluster's defaults unless asked
        Assert.DoesNotContain("--mem", array);
        Assert.Contains(SlurmScriptWriter.CurrentCommand() + " study run", array); // no lowresgen on PATH assumed
        Assert.Contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\"", array);
        Assert.Contains("'/tmp/My Study/study.toml'", array);
        Assert.Contains("study merge '/tmp/My Study/study.toml' --shards 4", merge);
        Assert.Contains("--dependency=afterok:${array_id}", submit);
    }
}

public class ReferenceStudyExampleTests
{
    [Fact]
    public async Task The_documented_reference_study_parses_and_expands_to_the_full_grid()
    {
        var file = FindCheckoutFile(Path.Combine("docs", "examples", "reference-study.toml"));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);
        var plan = await StudyService.PlanAsync(study, ShardSpec.Whole, CancellationToken.None);

        // Per task and language: 1 gold + 4 models x (7 strategies x (generate + evaluate) + 3 LLM-classification settings).
        Assert.Equal(3 * 11 * (1 + 4 * ((7 * 2) + 3)), plan.Cells.Count);
        Assert.Equal(0, plan.Done);
        Assert.True(File.Exists(study.ResolvePath(study.Data.Train, "intent", "cy")), "the example points at the shared data");
        Assert.True(plan.EstimatedLlmCallsLeft > 0);
    }

    [Fact]
    public async Task The_documented_learning_curve_study_plans_on_the_shared_data_and_warns_about_what_it_lacks()
    {
        var file = FindCheckoutFile(Path.Combine("docs", "examples", "learning-curves-study.toml"));
        var study = await StudyDefinition.LoadAsync(file, CancellationToken.None);
        Assert.Equal(["intent", "topic", "sentiment", "sarcasm"], study.Tasks);
        Assert.Equal([2, 5, 10, 25, 50, 100, 200], study.Sizes);
        Assert.Equal(2, study.Students.Count);
        var settings = study.Strategies.Select(StudySetting.Parse).ToArray();
        Assert.Contains(settings, s => s.Kind == StudySettingKind.Transfer);
        Assert.Contains(settings, s => s.Kind == StudySettingKind.FewGold);
        Assert.Contains(settings, s => s.Generation?.Translate == true && s.GoldPerClass == 0);
        Assert.Contains(settings, s => s.Generation is not null && s.GoldPerClass > 0);

        var plan = await StudyService.PlanAsync(study, ShardSpec.Whole, CancellationToken.None);
        // Per task and language: gold and transfer at 7 sizes x 2 students, few-gold:8 per student, and per model 4 generated
        // sets, 6 generated settings evaluated at 7 sizes x 2 students, and 2 LLM-classification cells.
        Assert.Equal(4 * 11 * ((7 * 2) + (7 * 2) + 2 + (2 * (4 + (6 * 7 * 2) + 2))), plan.Cells.Count);
        Assert.Equal(4 * 11 * 2 * 4, plan.Cells.Count(c => c.Cell.Kind == CellKind.Generate)); // generation once, at the largest size
        Assert.True(File.Exists(study.ResolvePath(study.Data.Train, "intent", "cy")), "the example points at the shared data");
        // What the shared data lacks is named, and nothing else: sarcasm, and sentiment's cy and sl gold.
        Assert.NotEmpty(plan.MissingFiles);
        Assert.All(plan.MissingFiles, f => Assert.True(f.Contains("sarcasm", StringComparison.Ordinal) || f.Contains("sentiment", StringComparison.Ordinal), f));
        Assert.Contains(plan.MissingFiles, f => f.Contains("sarcasm", StringComparison.Ordinal));

        var cli = await CliProcess.RunAsync("study", "plan", file);
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("sarcasm", cli.Stderr, StringComparison.Ordinal);
    }

    internal static string FindCheckoutFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }
}
