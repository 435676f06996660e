using System.CommandLine;
using LowResGen.Cli.Commands;
using LowResGen.Curation;
using LowResGen.Evaluation;
using LowResGen.Experiments;
using LowResGen.Generation;
using LowResGen.LlmClassification;

namespace LowResGen.Tests.Cli;

/// <summary>
/// One CLI convention: an option left out means the library's default (never a second copy of it in the CLI), and the
/// input options have one name everywhere, the old names parsing as hidden aliases for one release.
/// </summary>
public sealed class CliConventionTests
{
    private const string Model = "http://127.0.0.1:9/v1#m";

    private static ParseResult Parse(Command command, params string[] args)
    {
        var parse = new RootCommand { command }.Parse([command.Name, .. args]);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return parse;
    }

    [Fact]
    public void Generate_without_options_uses_the_library_defaults()
    {
        var command = GenerateCommand.Create(out var settingsOf);

        var settings = settingsOf(Parse(command, "--task", "intent", "--language", "cy", "--strategy", "target-demos", "--output", "o", "--model", Model));

        Assert.Equal(new GenerationOptions(), settings.Options);
        Assert.Equal(GenerationRequest.DefaultPerClass, settings.PerClass);
        Assert.True(settings.LanguageCheck);
        Assert.Null(settings.LanguageName);
    }

    [Fact]
    public void Evaluate_without_options_uses_the_library_defaults()
    {
        var command = EvaluateCommand.Create(ClassifierTrainerRegistry.BuiltIn(), out var optionsOf);

        var options = optionsOf(Parse(command, "--train", "gold=a.csv", "--test", "t.csv", "--output", "o"));

        Assert.Equal(new EvaluationOptions(), options);
    }

    [Fact]
    public void Classify_without_options_uses_the_library_defaults()
    {
        var command = ClassifyCommand.Create(out var settingsOf);

        var settings = settingsOf(Parse(command, "--test", "t.csv", "--task", "sentiment", "--language", "en", "--output", "o", "--model", Model));

        Assert.Equal(new LlmClassifierOptions(), settings.Options);
        Assert.Equal(("zero-shot", LlmSetting.DefaultK, LlmSetting.DefaultPoolName, LlmSetting.DefaultRepeats),
            (settings.Mode, settings.K, settings.PoolName, settings.Repeats));
    }

    [Fact]
    public void Compare_without_options_uses_the_library_defaults()
    {
        var command = CompareCommand.Create(ClassifierTrainerRegistry.BuiltIn(), out var optionsOf);

        var options = optionsOf(Parse(command, "--task", "sentiment", "--language", "en", "--train", "g.csv", "--generated", "s.csv",
            "--test", "t.csv", "--output", "o", "--model", Model));

        Assert.Equal(new ComparisonOptions(), options);
    }

    [Fact]
    public void Quickstart_without_options_uses_the_library_defaults()
    {
        var command = QuickstartCommand.Create(out var optionsOf);

        var options = optionsOf(Parse(command));

        Assert.Equal(new QuickstartOptions(), options);
    }

    [Fact]
    public void Curate_without_options_uses_the_library_defaults_and_the_default_student()
    {
        var command = CurateCommand.Create(ClassifierTrainerRegistry.BuiltIn(), out var optionsOf, out var inputs);
        var parse = Parse(command, "gen.csv", "--per-class", "7", "--output", "o");

        var options = optionsOf(parse);
        var quality = inputs.QualityOptionsOf(parse);

        // The record's own default is no filter at all; the CLI's is the library's recommended list.
        Assert.Equal(CurationOptions.DefaultFilters, options.Filters);
        Assert.Equal(new CurationOptions { PerClass = 7 }, options with { Filters = [] });
        Assert.Equal(new QualityOptions(), quality with { Trainer = null });
        Assert.Equal(ClassifierTrainerRegistry.BuiltIn().Create(ClassifierTrainerRegistry.DefaultName).Name, quality.Trainer!.Name);
    }

    [Fact]
    public void Curate_and_inspect_take_the_consistency_student_by_name_as_evaluate_does()
    {
        var trainers = ClassifierTrainerRegistry.BuiltIn().With("majority", () => new LowResGen.Tests.LlmClassification.MajorityTrainer());
        var command = CurateCommand.Create(trainers, out _, out var inputs);

        var quality = inputs.QualityOptionsOf(Parse(command, "gen.csv", "--per-class", "7", "--output", "o", "--classifier", "majority"));

        Assert.IsType<LowResGen.Tests.LlmClassification.MajorityTrainer>(quality.Trainer);
        Assert.Null(inputs.QualityOptionsOf(Parse(command, "gen.csv", "--per-class", "7", "--output", "o", "--no-consistency")).Trainer);
    }

    [Theory]
    [InlineData("generate", "--train-data", "--train")]
    [InlineData("describe-labels", "--train-data", "--train")]
    [InlineData("compare", "--gold-train", "--train")]
    [InlineData("compare", "--generated-train", "--generated")]
    [InlineData("classify", "--demos-from", "--demonstrations")]
    [InlineData("classify", "--demos-name", "--demonstrations-name")]
    [InlineData("curate", "--gold-test", "--test")]
    [InlineData("inspect", "--gold-test", "--test")]
    public void An_old_option_name_sets_the_new_option(string commandName, string oldName, string newName)
    {
        var command = CommandCatalog.All().Single(c => c.Name == commandName);
        var option = command.Options.SingleOrDefault(o => o.Name == newName);

        Assert.NotNull(option);
        Assert.Contains(oldName, option.Aliases);
        Assert.Equal(newName, CliNames.Renamed[oldName]);

        var parse = new RootCommand { command }.Parse([commandName, oldName, "value.csv"]);
        Assert.Equal("value.csv", parse.GetResult(option)?.Tokens.Single().Value);
    }

    [Fact]
    public async Task Help_shows_only_the_new_names_and_an_old_name_still_runs_with_a_warning()
    {
        var compare = await CliProcess.RunAsync("compare", "--help");
        var classify = await CliProcess.RunAsync("classify", "--help");

        Assert.Equal(0, compare.ExitCode);
        Assert.Contains("--train <train> (REQUIRED)", compare.Stdout);
        Assert.Contains("--generated <generated> (REQUIRED)", compare.Stdout);
        Assert.DoesNotContain("--gold-train", compare.Stdout);
        Assert.DoesNotContain("--generated-train", compare.Stdout);
        Assert.Contains("--demonstrations <demonstrations>", classify.Stdout);
        Assert.DoesNotContain("--demos-from", classify.Stdout);
        Assert.DoesNotContain("--demos-name", classify.Stdout);

        var directory = Directory.CreateTempSubdirectory("lowresgen-aliases-").FullName;
        try
        {
            var train = Path.Combine(directory, "train.csv");
            await File.WriteAllLinesAsync(train, ["text,label", "a fine day,positive", "a dull day,negative"]);
            string[] common = ["describe-labels", "--task", "sentiment", "--language", "en", "--output", Path.Combine(directory, "d.json"),
                "--model", Model, "--k", "1", "--dry-run"];

            var old = await CliProcess.RunAsync([.. common, "--train-data", train]);
            var renamed = await CliProcess.RunAsync([.. common, "--train", train]);

            Assert.True(old.ExitCode == 0, old.Stderr);
            Assert.True(renamed.ExitCode == 0, renamed.Stderr);
            Assert.Equal(renamed.Stdout, old.Stdout);
            Assert.Contains("warning: --train-data is now --train", old.Stderr);
            Assert.DoesNotContain("warning:", renamed.Stderr);
            Assert.Contains("dry run: describe sentiment / en / m: 2 LLM calls", renamed.Stdout);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
