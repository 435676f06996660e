using System.CommandLine;
using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.LlmClassification;

namespace LowResGen.Cli.Commands;

/// <summary>`lowresgen compare`: the LLM as classifier (teacher) against a small classifier trained on gold or generated data (students).</summary>
public static class CompareCommand
{
    private static readonly ComparisonOptions Defaults = new();

    public static Command Create(ClassifierTrainerRegistry trainers) => Create(trainers, out _);

    /// <param name="optionsOf">The comparison options a parse gives, as the action reads them (tests compare them with the library's defaults).</param>
    internal static Command Create(ClassifierTrainerRegistry trainers, out Func<ParseResult, ComparisonOptions> optionsOf)
    {
        var model = new ClassifyCommand.ModelOptions();
        var task = new Option<string>("--task") { Description = ClassifyCommand.TaskDescription, Required = true };
        var language = new Option<string>("--language") { Description = "Language code of the data.", Required = true };
        var goldTrain = new Option<string>(CliNames.Train, CliNames.GoldTrain) { Description = "Gold training data (demonstrations and classifier training).", Required = true };
        var generatedTrain = new Option<string>(CliNames.Generated, CliNames.GeneratedTrain) { Description = "Generated training data (demonstrations and classifier training).", Required = true };
        var test = new Option<string>(CliNames.Test) { Description = "Gold test file.", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Seeds 0..N-1 (k-shot demonstration draws, classifier training).", DefaultValueFactory = _ => Defaults.Seeds };
        var k = new Option<int>("--k") { Description = "Demonstrations per label for the k-shot settings.", DefaultValueFactory = _ => Defaults.K };
        var perClass = new Option<int>("--per-class") { Description = "At most this many training examples per class for the classifiers.", DefaultValueFactory = _ => Defaults.PerClass };
        var classifier = new Option<string>("--classifier") { Description = "Student by name: ngram, encoder:<model>, ngram+encoder:<model>.", DefaultValueFactory = _ => ClassifierTrainerRegistry.DefaultName };
        var normalize = new Option<bool>("--normalize") { Description = "Lower-case and strip punctuation for the classifiers." };
        var output = new Option<string>("--output") { Description = "Output directory: comparison.md/.json, results.csv, llm/ and classifier/ runs.", Required = true };
        var command = new Command("compare", "One table for a task and language: LLM zero-shot and k-shot (gold / generated demonstrations) versus a classifier trained on gold and on generated data.")
        {
            task, language, goldTrain, generatedTrain, test, seeds, k, perClass, classifier, normalize, output,
        };
        model.AddTo(command);
        optionsOf = parseResult => new ComparisonOptions
        {
            K = CliErrors.Positive(parseResult.GetValue(k), "--k"),
            Seeds = CliErrors.Positive(parseResult.GetValue(seeds), "--seeds"),
            PerClass = CliErrors.Positive(parseResult.GetValue(perClass), "--per-class"),
            Normalization = parseResult.GetValue(normalize) ? TextNormalization.Reference : Defaults.Normalization,
            WritePlots = model.WritePlots(parseResult),
        };
        var optionsFrom = optionsOf;
        command.SetAction(async (parseResult, cancellationToken) => await CliErrors.GuardAsync(parseResult, async () =>
        {
            var definition = await ClassifyCommand.ResolveTaskAsync(parseResult.GetValue(task)!, parseResult.GetValue(test)!, cancellationToken);
            var lang = parseResult.GetValue(language)!;
            var student = trainers.Create(parseResult.GetValue(classifier)!);
            var gold = await ClassifyCommand.ReadAsync(parseResult.GetValue(goldTrain)!, definition, lang, Splits.Train, cancellationToken);
            var generated = await ClassifyCommand.ReadAsync(parseResult.GetValue(generatedTrain)!, definition, lang, Splits.Generated, cancellationToken);
            var testSet = await ClassifyCommand.ReadAsync(parseResult.GetValue(test)!, definition, lang, Splits.Test, cancellationToken);
            using var client = model.CreateClient(parseResult, parseResult.GetValue(output)!, out var factory);
            var teacher = new LlmClassifier(client, definition, model.ClassifierOptions(parseResult));
            var options = optionsFrom(parseResult);
            var writer = parseResult.InvocationConfiguration.Output;
            var table = await new TeacherStudentComparison(teacher, student, options, new ClassifyCommand.TenthsProgress(writer)).RunAsync(lang, model.Model(parseResult), gold, generated, testSet,
                parseResult.GetValue(output)!, new SynchronousProgress<LowResGen.Evaluation.ResultRow>(row => writer.WriteLine(ClassifyCommand.Describe(row))), cancellationToken);
            writer.WriteLine();
            writer.Write(table.ToMarkdown());
            writer.WriteLine($"Written to {table.OutputDirectory}");
            ClassifyCommand.ModelOptions.WriteUsage(writer, factory);
        }));
        return command;
    }
}
