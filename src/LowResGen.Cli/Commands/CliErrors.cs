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

    /// <summary>Every error line the CLI prints starts with this; warnings with <see cref="WarningPrefix"/>.</summary>
    public const string Prefix = "error: ";

    public const string WarningPrefix = "warning: ";

    /// <summary>A generation run (generate, quickstart, study run) left a class below its quota after its attempt limit.</summary>
    public const int Shortfall = 3;

    /// <summary>
    /// The exit code for runs that left classes short: <see cref="Shortfall"/> with an error naming them, or 0 with the
    /// same text as a warning when the user allowed it.
    /// </summary>
    public static int ShortfallExit(TextWriter stderr, IReadOnlyCollection<(string Run, LowResGen.Evaluation.Metrics.ClassCounts Counts)> shortRuns,
        bool allowed, string allowHint)
    {
        if (shortRuns.Count == 0)
        {
            return 0;
        }

        var prefix = allowed ? WarningPrefix : Prefix;
        stderr.WriteLine($"{prefix}{shortRuns.Count} generation run(s) ended with classes below their quota after the attempt limit:");
        foreach (var (run, counts) in shortRuns)
        {
            stderr.WriteLine($"  {run}: {counts.Describe()} per class; short: {counts.DescribeShortClasses()}");
        }

        if (!allowed)
        {
            stderr.WriteLine($"Raise the attempt limit and rerun (it resumes), or accept smaller sets with {allowHint} (exit code {Shortfall}).");
        }

        return allowed ? 0 : Shortfall;
    }

    /// <summary>The option's value, or a user error when it is not a positive number.</summary>
    public static int Positive(int value, string option) =>
        value > 0 ? value : throw new ArgumentException($"{option} must be positive (got {value}).");

    /// <summary>What to do without network: the options that make each downloading command work from local files or a mirror.</summary>
    public const string OfflineHint =
        "Offline? Give local files instead of downloads: --data-dir DIR (data in the kinit-synthetic or SIB-200 layout) and " +
        "--model FILE.gguf or a server URL (quickstart), or a mirror: --dataset-base-url and --model-base-url (quickstart), " +
        "--base-url (datasets download, models pull).";

    /// <summary>The error's message in one line, with the offline options when a download found no network.</summary>
    public static string Explain(Exception error) =>
        Excerpt.Of(error.Message, 4 * Excerpt.DefaultLength)
        + (error is LowResGen.Common.Downloads.DownloadUnreachableException { Offline: true } ? " " + OfflineHint : "");

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
            await stderr.WriteLineAsync(Prefix + Explain(error));
            return UserError;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync(Prefix + "cancelled");
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
