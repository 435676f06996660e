using System.CommandLine;

namespace LowResGen.Cli.Commands;

/// <summary>Every top-level command, in the order `--help` lists them. One line per command group.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return QuickstartCommand.Create();
        yield return DatasetsCommand.Create();
        yield return TasksCommand.Create();
        yield return ModelsCommand.Create();
        yield return ChatCommand.Create();
        yield return GenerateCommand.Create();
        yield return DescribeLabelsCommand.Create();
        var trainers = LowResGen.Evaluation.ClassifierTrainerRegistry.WithDefaultEncoders();
        yield return InspectCommand.Create(trainers);
        yield return CurateCommand.Create(trainers);
        yield return EvaluateCommand.Create(trainers);
        yield return ReportCommand.Create();
        yield return ClassifyCommand.Create();
        yield return CompareCommand.Create(trainers);
        yield return ExportCommand.Create();
        yield return StudyCommand.Create();
        yield return VersionCommand.Create();
    }
}
