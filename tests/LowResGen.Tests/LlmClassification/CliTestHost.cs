using System.CommandLine;

namespace LowResGen.Tests.LlmClassification;

/// <summary>Runs CLI commands in-process and captures what they print.</summary>
internal static class CliTestHost
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
