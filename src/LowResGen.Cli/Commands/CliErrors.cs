using System.CommandLine;
using LowResGen.Common;
using LowResGen.Llm;

namespace LowResGen.Cli.Commands;

/// <summary>
/// The one place that turns the errors a user can cause (bad files and options, missing models, unreachable servers,
/// failed downloads) into one line on stderr and exit code 1, instead of a stack trace. Anything else is a bug and
/// keeps its stack trace.
/// </summary>
internal static class CliErrors
{
    public const int UserError = 1;

    /// <summary>The option's value, or a user error when it is not a positive number.</summary>
    public static int Positive(int value, string option) =>
        value > 0 ? value : throw new ArgumentException($"{option} must be positive (got {value}).");

    public static bool IsUserError(Exception error) => error is DataFormatException or ArgumentException or FormatException
        or InvalidOperationException or NotSupportedException or IOException or UnauthorizedAccessException
        or HttpRequestException or LlmRequestException or LLama.Exceptions.RuntimeError;

    public static Task<int> GuardAsync(ParseResult parseResult, Func<Task<int>> action) =>
        GuardAsync(parseResult.InvocationConfiguration.Error, action);

    public static async Task<int> GuardAsync(TextWriter stderr, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception error) when (IsUserError(error))
        {
            await stderr.WriteLineAsync("error: " + error.Message);
            return UserError;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled");
            return 130;
        }
    }

    public static Task<int> GuardAsync(ParseResult parseResult, Func<Task> action) =>
        GuardAsync(parseResult, async () =>
        {
            await action();
            return 0;
        });
}
