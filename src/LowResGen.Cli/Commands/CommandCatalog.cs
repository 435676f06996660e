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
        yield return InspectCommand.Create();
        yield return CurateCommand.Create();
        yield return EvaluateCommand.Create(LowResGen.Evaluation.ClassifierTrainerRegistry.WithDefaultEncoders());
        yield return ReportCommand.Create();
        yield return ClassifyCommand.Create();
        yield return CompareCommand.Create(LowResGen.Evaluation.ClassifierTrainerRegistry.WithDefaultEncoders());
        yield return ExportCommand.Create();
        yield return StudyCommand.Create();
        yield return VersionCommand.Create();
    }
}
