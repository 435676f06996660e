using System.CommandLine;
using LowResGen.Cli.Commands;

var root = new RootCommand("LowResGen: synthetic labelled data for low-resource languages, and what it is worth.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
