namespace LowResGen.Tests.Cli;

public sealed class HelpTests
{
    [Fact]
    public async Task Help_names_the_command_users_type_and_lists_every_command()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("lowresgen [command] [options]", result.Stdout);
        Assert.DoesNotContain("LowResGen.Cli", result.Stdout);
        foreach (var command in LowResGen.Cli.Commands.CommandCatalog.All())
        {
            Assert.Contains("  " + command.Name, result.Stdout);
        }
    }

    [Fact]
    public async Task An_unknown_command_is_an_error()
    {
        var result = await CliProcess.RunAsync("no-such-command");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no-such-command", result.Stderr);
    }
}
