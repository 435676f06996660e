using System.Globalization;
using System.Text.RegularExpressions;
using LowResGen.Data;

namespace LowResGen.Evaluation;

/// <summary>
/// The study settings that are a matter of which gold examples a training set holds, by the name of an `evaluate`
/// setting: <c>few-gold:k=FILE</c> trains on k examples per class of FILE (each seed its own draw), and
/// <c>NAME+mix:k=FILE</c> trains on FILE (balanced as usual) plus k examples per class of the setting named <c>gold</c>,
/// the same k for every seed (TrainingSetSampler's seed-0 draw). <c>transfer=ENGLISH_FILE</c> needs nothing special: any
/// file is a setting. Other names are left as they are.
/// </summary>
public static partial class GoldSettings
{
    public static IEnumerable<EvaluationSetting> Apply(IReadOnlyList<EvaluationSetting> settings, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var gold = settings.FirstOrDefault(s => s.Name == "gold");
        foreach (var setting in settings)
        {
            if (FewGold().Match(setting.Name) is { Success: true } few)
            {
                yield return setting with { PerClass = Positive(setting.Name, few.Groups[1].Value) };
            }
            else if (Mix().Match(setting.Name) is { Success: true } mix)
            {
                var k = Positive(setting.Name, mix.Groups[1].Value);
                var pool = gold?.Train ?? throw new ArgumentException($"Setting '{setting.Name}' adds gold examples: also give the gold training file, as --train gold=FILE.");
                // Only the task's labels (a pool's stray labels are not the task's); without a task, the pool's own.
                var known = labels is null ? null : new HashSet<string>(labels, StringComparer.Ordinal);
                yield return setting with { Added = TrainingSetSampler.Balance([.. pool.Where(e => known is null || known.Contains(e.Label))], k, 0) };
            }
            else
            {
                yield return setting;
            }
        }
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0
            ? k
            : throw new ArgumentException($"Setting '{name}' needs a positive number of gold examples per class, e.g. few-gold:8 or generated+mix:8.");

    [GeneratedRegex(@"^few-gold:(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FewGold();

    [GeneratedRegex(@"^.+\+mix:(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Mix();
}
