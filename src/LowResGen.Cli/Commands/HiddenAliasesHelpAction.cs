using System.CommandLine;
using System.CommandLine.Invocation;

namespace LowResGen.Cli.Commands;

/// <summary>
/// The usual <c>--help</c>, without the old option names of <see cref="CliNames.Renamed"/>: they still parse (they are
/// aliases of the same options, so Required and defaults behave as before), but help shows only the one name to use.
/// System.CommandLine lists every alias and cannot hide one, so they are taken off while help is written.
/// </summary>
internal sealed class HiddenAliasesHelpAction(CommandLineAction inner) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var hidden = new List<(Option Option, string Alias)>();
        foreach (var option in parseResult.CommandResult.Command.Options)
        {
            foreach (var alias in option.Aliases.Where(CliNames.Renamed.ContainsKey).ToList())
            {
                option.Aliases.Remove(alias);
                hidden.Add((option, alias));
            }
        }

        try
        {
            return inner is SynchronousCommandLineAction synchronous ? synchronous.Invoke(parseResult) : 0;
        }
        finally
        {
            foreach (var (option, alias) in hidden)
            {
                option.Aliases.Add(alias);
            }
        }
    }
}
