namespace LowResGen.Data;

/// <summary>One labelled text. <see cref="Source"/> says where it came from (gold file, generator run, ...).</summary>
public sealed record Example(
    string Id,
    string Text,
    string Label,
    string Language,
    string Split,
    string Source);

/// <summary>Well-known split names, as used by the importers and the evaluation protocol.</summary>
public static class Splits
{
    public const string Train = "train";
    public const string Dev = "dev";
    public const string Test = "test";
    public const string Generated = "generated";
}
