using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tomlyn.Model;

namespace LowResGen.Common;

/// <summary>
/// The keys a TOML file may contain: per key, either nothing more (a value) or the keys of the table(s) it holds
/// (a table, an array of tables, or an array of inline tables). Built by hand, or derived from the record a file is read
/// into (<see cref="From"/>), so a property added to the record is a valid key at once.
/// </summary>
public sealed class TomlKeys
{
    private readonly Dictionary<string, TomlKeys?> _keys;

    public TomlKeys(IReadOnlyDictionary<string, TomlKeys?> keys) => _keys = new Dictionary<string, TomlKeys?>(keys, StringComparer.Ordinal);

    public IEnumerable<string> Names => _keys.Keys;

    /// <summary>The keys of <paramref name="type"/>'s settable public properties under <paramref name="naming"/> (skipping [TomlIgnore]);
    /// properties whose type is a record/class of their own (or a list of one) get its keys as their table.</summary>
    public static TomlKeys From(Type type, JsonNamingPolicy naming)
    {
        var keys = new Dictionary<string, TomlKeys?>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is null || property.GetCustomAttribute<Tomlyn.Serialization.TomlIgnoreAttribute>() is not null)
            {
                continue;
            }

            var element = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>)
                ? property.PropertyType.GetGenericArguments()[0]
                : property.PropertyType;
            // A dictionary is a table whose keys are the user's (language codes, say): not checked against a record.
            var isRecord = element.IsClass && element != typeof(string) && !typeof(System.Collections.IDictionary).IsAssignableFrom(element);
            keys[naming.ConvertName(property.Name)] = isRecord ? From(element, naming) : null;
        }

        return new TomlKeys(keys);
    }

    /// <summary>Throws a <see cref="DataFormatException"/> naming file, line and key (with the closest known key) for the
    /// first key of <paramref name="root"/> that is not known.</summary>
    public void Check(TomlTable root, string toml, string file)
    {
        if (FindUnknown(root, "") is { } unknown)
        {
            var (path, key, known) = unknown;
            var hint = Closest(key, known.Names) is { } closest ? $"did you mean '{closest}'?" : $"known: {string.Join(", ", known.Names)}";
            var full = path.Length == 0 ? key : path + "." + key;
            throw new DataFormatException(file, LineOf(toml, path, key), full, $"unknown key '{full}' ({hint})");
        }
    }

    private (string Path, string Key, TomlKeys Known)? FindUnknown(TomlTable table, string path)
    {
        foreach (var (key, value) in table)
        {
            if (!_keys.TryGetValue(key, out var inner))
            {
                return (path, key, this);
            }

            if (inner is null)
            {
                continue;
            }

            var childPath = path.Length == 0 ? key : path + "." + key;
            IEnumerable<TomlTable> tables = value switch
            {
                TomlTable t => [t],
                TomlTableArray a => a,
                TomlArray a => a.OfType<TomlTable>(),
                _ => [],
            };
            foreach (var child in tables)
            {
                if (inner.FindUnknown(child, childPath) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>The known key nearest to <paramref name="key"/> by edit distance, when it is plausibly a typo of it.</summary>
    public static string? Closest(string key, IEnumerable<string> known) =>
        known.Select(k => (Key: k, Distance: EditDistance.Between(key, k)))
            .Where(k => k.Distance <= Math.Max(2, k.Key.Length / 3) || k.Key.StartsWith(key, StringComparison.Ordinal) || key.StartsWith(k.Key, StringComparison.Ordinal))
            .OrderBy(k => k.Distance).ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => k.Key).FirstOrDefault();

    /// <summary>1-based line where <paramref name="key"/> is set inside the table <paramref name="path"/> (header or inline),
    /// or where the header <c>[path.key]</c> opens; the first plain occurrence otherwise.</summary>
    private static long? LineOf(string toml, string path, string key)
    {
        var lines = toml.ReplaceLineEndings("\n").Split('\n');
        var quoted = Regex.Escape(key);
        var assignment = new Regex($@"(^|[{{,]\s*)(""{quoted}""|'{quoted}'|{quoted})\s*=");
        var header = new Regex(@"^\s*\[\[?\s*([^\]]+?)\s*\]\]?");
        var current = "";
        long? fallback = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (header.Match(line) is { Success: true } h && !trimmed.Contains('='))
            {
                current = h.Groups[1].Value;
                if (current == (path.Length == 0 ? key : path + "." + key))
                {
                    return i + 1;
                }

                continue;
            }

            if (assignment.IsMatch(trimmed))
            {
                if (current == path || (path.Length > 0 && path.StartsWith(current, StringComparison.Ordinal)))
                {
                    return i + 1;
                }

                fallback ??= i + 1;
            }
        }

        return fallback;
    }
}
