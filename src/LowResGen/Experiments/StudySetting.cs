using System.Globalization;
using LowResGen.Data;
using LowResGen.Generation;

namespace LowResGen.Experiments;

/// <summary>What kind of training set a study setting evaluates.</summary>
public enum StudySettingKind
{
    /// <summary>A set generated (or translated) by an LLM with a strategy, optionally mixed with k gold examples per class.</summary>
    Generated,

    /// <summary>Cross-lingual transfer: English gold training data, tested on the target language; no LLM.</summary>
    Transfer,

    /// <summary>k gold examples per class of the target language only: the cost of labelling a little; no LLM.</summary>
    FewGold,
}

/// <summary>
/// One entry of a study's <c>strategies</c>: a generation strategy (<c>target-demos</c>, <c>translate+revision</c>), the
/// same with <c>+mix:k</c> (k gold examples per class added to the generated set), <c>transfer</c> or <c>few-gold:k</c>.
/// </summary>
public sealed record StudySetting(string Name, StudySettingKind Kind, GenerationStrategy? Generation, int GoldPerClass)
{
    public const string TransferName = "transfer";
    public const string FewGoldName = "few-gold";
    public const string MixName = "mix";

    /// <summary>Whether the setting needs an LLM (and so a model of the study).</summary>
    public bool NeedsModel => Kind == StudySettingKind.Generated;

    public static StudySetting Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split('+', StringSplitOptions.TrimEntries);
        var mix = parts.Where(p => Head(p) == MixName).ToArray();
        var rest = parts.Where(p => Head(p) != MixName).ToArray();
        if (rest.Length == 1 && Head(rest[0]) is TransferName or FewGoldName)
        {
            if (mix.Length > 0)
            {
                throw new FormatException($"Bad setting '{text}': mix adds gold to a generated or translated set, not to {Head(rest[0])}.");
            }

            return Head(rest[0]) == TransferName
                ? rest[0].Contains(':', StringComparison.Ordinal)
                    ? throw new FormatException($"Bad setting '{text}': transfer takes no options.")
                    : new StudySetting(TransferName, StudySettingKind.Transfer, null, 0)
                : new StudySetting($"{FewGoldName}:{K(text, rest[0])}", StudySettingKind.FewGold, null, K(text, rest[0]));
        }

        if (rest.Any(p => Head(p) is TransferName or FewGoldName))
        {
            throw new FormatException($"Bad setting '{text}': transfer and few-gold:k stand alone.");
        }

        if (mix.Length > 1)
        {
            throw new FormatException($"Bad setting '{text}': mix is chosen twice.");
        }

        if (rest.Length == 0)
        {
            throw new FormatException($"Bad setting '{text}': mix needs a generation strategy to add gold to, e.g. target-demos+mix:8.");
        }

        var generation = GenerationStrategy.Parse(string.Join('+', rest));
        var k = mix.Length == 1 ? K(text, mix[0]) : 0;
        return new StudySetting(k > 0 ? $"{generation.Name}+{MixName}:{k}" : generation.Name, StudySettingKind.Generated, generation, k);
    }

    /// <summary>
    /// The k gold examples per class that mix:k adds: the first demonstration draw generation makes with the seed (attempt 0
    /// of <see cref="RandomDemonstrationSelector"/>), so with <c>target-demos:k=K</c> they are the demonstrations it was shown.
    /// </summary>
    public static IReadOnlyList<Example> MixedGold(IReadOnlyList<Example> gold, IEnumerable<string> labels, int k, int seed)
    {
        var selector = new RandomDemonstrationSelector(gold);
        return [.. labels.SelectMany(label => selector.Draw(label, k, 0, seed))];
    }

    /// <summary>The training set a non-generated setting evaluates, and the examples per class it is balanced to.</summary>
    public (IReadOnlyList<Example> Train, int PerClass) BaselineSet(IReadOnlyList<Example> englishGold, IReadOnlyList<Example> targetGold, int perClass) =>
        Kind switch
        {
            StudySettingKind.Transfer => (englishGold, perClass),
            StudySettingKind.FewGold => (targetGold, GoldPerClass),
            _ => throw new InvalidOperationException($"'{Name}' is evaluated on a generated set."),
        };

    private static string Head(string part) => (part.Contains(':', StringComparison.Ordinal) ? part[..part.IndexOf(':', StringComparison.Ordinal)] : part).Trim().ToLowerInvariant();

    private static int K(string text, string part)
    {
        var colon = part.IndexOf(':', StringComparison.Ordinal);
        var value = colon < 0 ? "" : part[(colon + 1)..].Trim();
        if (value.StartsWith("k=", StringComparison.OrdinalIgnoreCase))
        {
            value = value[2..];
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0
            ? k
            : throw new FormatException($"Bad setting '{text}': '{part}' needs a positive number of gold examples per class, e.g. {Head(part)}:8.");
    }
}
