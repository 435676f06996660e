using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace LowResGen.Common;

/// <summary>
/// What differs between the settings an output folder was made with and the settings of this run, as a phrase for an
/// error ("the strategy was sl, now target-demos; the seed was 42, now 7"), not a dump of two records.
/// </summary>
public static partial class SettingsDifference
{
    public static string Describe<T>(T before, T now)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(now);
        var changes = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => (Name: Words(p.Name), Before: Show(p.GetValue(before)), Now: Show(p.GetValue(now))))
            .Where(c => c.Before != c.Now)
            .Select(c => $"the {c.Name} was {c.Before}, now {c.Now}")
            .ToArray();
        return changes.Length == 0 ? "the same settings in another form" : string.Join("; ", changes);
    }

    private static string Show(object? value) => value switch
    {
        null => "none",
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "none",
    };

    /// <summary>PerClass → "per class", TestSet → "test set".</summary>
    private static string Words(string name) => UpperCase().Replace(name, m => (m.Index == 0 ? "" : " ") + m.Value.ToLowerInvariant());

    [GeneratedRegex("[A-Z]")]
    private static partial Regex UpperCase();
}
