using System.CommandLine;
using System.Reflection;

namespace LowResGen.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the LowResGen version and the built-in tasks and languages.");
        command.SetAction(parseResult =>
        {
            var version = typeof(LowResGen.Data.Example).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"LowResGen {version}");
            output.WriteLine("Tasks: " + string.Join(", ", LowResGen.Data.BuiltInTasks.All.Select(t => $"{t.Name} ({t.Labels.Count} labels)")));
            output.WriteLine($"Languages: every ISO 639-3 code ({LowResGen.Data.LanguageRegistry.Default.All.Count} languages, {LowResGen.Data.LanguageRegistry.Default.FloresCodes.Count} FLORES-200 codes); reference: " +
                string.Join(", ", LowResGen.Data.LanguageRegistry.ReferenceLanguages));
            return 0;
        });
        return command;
    }
}
