using System.Collections.Frozen;

namespace LowResGen.Cli.Commands;

/// <summary>
/// One name per kind of input, the same in every command (docs/cli.md has the table). The names used before 0.2 still
/// parse for one release: they are aliases of the new options, left out of <c>--help</c> by
/// <see cref="HiddenAliasesHelpAction"/> and warned about by <see cref="WarnAboutOldNames"/>.
/// </summary>
internal static class CliNames
{
    /// <summary>Gold (or any) training data: demonstrations, label summaries, classifier training.</summary>
    public const string Train = "--train";

    /// <summary>The gold test set.</summary>
    public const string Test = "--test";

    /// <summary>A generated training set.</summary>
    public const string Generated = "--generated";

    /// <summary>Where k-shot demonstrations come from (or came from, for inspect and curate).</summary>
    public const string Demonstrations = "--demonstrations";

    /// <summary>The name of the demonstration pool in setting names (llm-5-shot-&lt;name&gt;).</summary>
    public const string DemonstrationsName = "--demonstrations-name";

    public const string TrainData = "--train-data";
    public const string GoldTrain = "--gold-train";
    public const string GeneratedTrain = "--generated-train";
    public const string DemosFrom = "--demos-from";
    public const string DemosName = "--demos-name";
    public const string GoldTest = "--gold-test";

    /// <summary>Old name → new name. Kept for one release (0.1.x); remove the aliases in 0.2.</summary>
    public static FrozenDictionary<string, string> Renamed { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [TrainData] = Train,
        [GoldTrain] = Train,
        [GeneratedTrain] = Generated,
        [DemosFrom] = Demonstrations,
        [DemosName] = DemonstrationsName,
        [GoldTest] = Test,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>One warning line per old name the user typed, naming the new one.</summary>
    public static IEnumerable<string> WarnAboutOldNames(IEnumerable<string> arguments) =>
        arguments.Select(a => a.Split('=', 2)[0]).Where(Renamed.ContainsKey).Distinct(StringComparer.Ordinal)
            .Select(old => $"{CliErrors.WarningPrefix}{old} is now {Renamed[old]}; the old name still works in this release only.");
}
