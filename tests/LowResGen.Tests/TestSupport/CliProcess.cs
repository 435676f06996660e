using System.Diagnostics;

namespace LowResGen.Tests;

/// <summary>Runs the real `lowresgen` CLI (the built LowResGen.Cli.dll next to the tests) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "LowResGen.Cli.dll");

    public static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["HF_TOKEN"] = "";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
    }

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(TimeSpan.FromMinutes(2), arguments);

    public static async Task<Result> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lowresgen {string.Join(' ', arguments)} did not finish in {timeout}: {await output}{await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
