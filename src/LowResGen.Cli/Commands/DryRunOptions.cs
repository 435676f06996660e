using System.CommandLine;
using LowResGen.DryRun;

namespace LowResGen.Cli.Commands;

/// <summary>`--dry-run` and `--dry-run-prompts`, shared by the commands that call an LLM: print what would be sent, send nothing.</summary>
internal sealed class DryRunOptions
{
    private readonly Option<bool> dryRun = new("--dry-run") { Description = "Print the exact prompts (the first few per label) and the number of LLM calls; send nothing, write nothing." };
    private readonly Option<int> prompts = new("--dry-run-prompts")
    {
        Description = "Prompts shown per label with --dry-run.",
        DefaultValueFactory = _ => DryRunPlanner.DefaultPromptsPerLabel,
    };

    public static DryRunOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(dryRun);
        command.Options.Add(prompts);
    }

    public bool Requested(ParseResult parseResult) => parseResult.GetValue(dryRun);

    public int PromptsPerLabel(ParseResult parseResult) => Math.Max(0, parseResult.GetValue(prompts));
}
