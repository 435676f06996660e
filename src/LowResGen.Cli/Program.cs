using System.CommandLine;
using System.CommandLine.Help;
using LowResGen.Cli.Commands;

// A named root rather than RootCommand, whose name is the entry assembly's (LowResGen.Cli): help and errors should
// show the command users type. RootCommand's help and version options are added by hand.
var root = new Command("lowresgen", "LowResGen: synthetic labelled data for low-resource languages, and what it is worth.")
{
    new HelpOption(),
    new VersionOption(),
};
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
