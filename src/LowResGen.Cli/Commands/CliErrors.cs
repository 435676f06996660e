using LowResGen.Common;

namespace LowResGen.Cli.Commands;

/// <summary>
/// Turns the errors a user can cause (bad files, bad options, missing models) into one clear line on stderr and a
/// non-zero exit code, instead of a stack trace. Anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    public static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (DataFormatException error)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return BadInput;
        }
        catch (Exception error) when (error is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException or IOException or HttpRequestException)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }
}
