namespace LowResGen.Cli.Commands;

/// <summary>The console width assumed for output that is not a terminal: wide enough that no table row wraps.</summary>
internal static class OutputWidth
{
    public const int Unwrapped = 10_000;
}
