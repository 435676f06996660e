using System.CommandLine;
using System.CommandLine.Help;
using LowResGen.Cli.Commands;
using Spectre.Console;

// A named root rather than RootCommand, whose name is the entry assembly's (LowResGen.Cli): help and errors should
// show the command users type. RootCommand's help and version options are added by hand.
var help = new HelpOption();
help.Action = new HiddenAliasesHelpAction(help.Action!);
var root = new Command("lowresgen", "LowResGen: synthetic labelled data for low-resource languages, and what it is worth.")
{
    help,
    new VersionOption(),
};
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

// Spectre.Console wraps tables at 80 columns when it cannot see a terminal; output piped to a file or another tool
// is read whole, so its lines are never wrapped.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = OutputWidth.Unwrapped;
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Parse errors look like every other error: one "error: " line each, then where to find the usage.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(CliErrors.Prefix + error.Message);
    }

    var names = new List<string>();
    for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
    {
        names.Insert(0, result.Command.Name);
    }

    Console.Error.WriteLine($"See: {string.Join(' ', names)} --help");
    return CliErrors.UserError;
}

foreach (var warning in CliNames.WarnAboutOldNames(args))
{
    Console.Error.WriteLine(warning);
}

return await parsed.InvokeAsync();
