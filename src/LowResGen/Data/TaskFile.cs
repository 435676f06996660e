using System.Globalization;
using System.Text;
using LowResGen.Common;
using Tomlyn;
using Tomlyn.Model;

namespace LowResGen.Data;

/// <summary>
/// A task described in TOML (see docs/data.md):
/// <code>
/// name = "sarcasm"
/// label_kind = "sarcasm"        # what a label is called in prompts
/// min_length = 10               # optional, characters of a generated example
/// max_length = 300
/// [[labels]]
/// value = "0"                   # as stored in data files
/// name = "not sarcastic"        # as shown to an LLM (default: the value)
/// description = "..."           # optional, for human-desc strategies and LLM classification
/// </code>
/// A bad file is a <see cref="DataFormatException"/> naming the file, the line and the key.
/// </summary>
public static class TaskFile
{
    private static readonly string[] TopKeys = ["name", "label_kind", "min_length", "max_length", "labels"];
    private static readonly string[] LabelKeys = ["value", "name", "description"];

    public static TaskDefinition Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, null, "task file not found");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static TaskDefinition Parse(string toml, string file)
    {
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(toml, new TomlSerializerOptions { SourceName = file })!;
        }
        catch (TomlException error)
        {
            throw new DataFormatException(file, error.Line, null, $"not valid TOML: {error.Message}", error);
        }

        var lines = toml.ReplaceLineEndings("\n").Split('\n');
        foreach (var key in root.Keys.Where(k => !TopKeys.Contains(k)))
        {
            throw new DataFormatException(file, KeyLine(lines, -1, key), key, $"unknown key (known: {string.Join(", ", TopKeys)})");
        }

        string Text(TomlTable table, int section, string key, bool required)
        {
            if (!table.TryGetValue(key, out var value))
            {
                return required
                    ? throw new DataFormatException(file, section < 0 ? null : SectionLine(lines, section), key, "is required")
                    : "";
            }

            return value switch
            {
                string s when s.Trim().Length > 0 => s.Trim(),
                long n when key == "value" => n.ToString(CultureInfo.InvariantCulture), // value = 0 means the label "0"
                _ => throw new DataFormatException(file, KeyLine(lines, section, key), key, "must be a non-empty string"),
            };
        }

        int? Length(string key)
        {
            if (!root.TryGetValue(key, out var value))
            {
                return null;
            }

            return value is long n && n >= 1 && n <= 100_000
                ? (int)n
                : throw new DataFormatException(file, KeyLine(lines, -1, key), key, "must be a whole number of characters from 1 to 100000");
        }

        var name = Text(root, -1, "name", required: true);
        var kind = Text(root, -1, "label_kind", required: false);
        var (min, max) = (Length("min_length"), Length("max_length"));
        if (min > max)
        {
            throw new DataFormatException(file, KeyLine(lines, -1, "min_length"), "min_length", $"is larger than max_length ({max})");
        }

        if (!root.TryGetValue("labels", out var labelsValue) || labelsValue is not TomlTableArray tables || tables.Count < 2)
        {
            throw new DataFormatException(file, KeyLine(lines, -1, "labels"), "labels",
                "a task needs at least two labels, each a [[labels]] table with value (and name, description)");
        }

        var labels = new List<string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < tables.Count; i++)
        {
            var table = tables[i];
            foreach (var key in table.Keys.Where(k => !LabelKeys.Contains(k)))
            {
                throw new DataFormatException(file, KeyLine(lines, i, key), $"labels.{key}", $"unknown key (known: {string.Join(", ", LabelKeys)})");
            }

            var value = Text(table, i, "value", required: true);
            if (labels.Contains(value))
            {
                throw new DataFormatException(file, KeyLine(lines, i, "value"), "labels.value", $"label '{value}' is defined twice");
            }

            var display = Text(table, i, "name", required: false) is { Length: > 0 } n ? n : value;
            if (names.Values.Contains(display, StringComparer.OrdinalIgnoreCase))
            {
                throw new DataFormatException(file, KeyLine(lines, i, "name"), "labels.name", $"two labels are shown as '{display}'");
            }

            labels.Add(value);
            names[value] = display;
            if (Text(table, i, "description", required: false) is { Length: > 0 } description)
            {
                descriptions[value] = description;
            }
        }

        return new TaskDefinition(name, labels, descriptions.Count > 0 ? descriptions : null, kind.Length > 0 ? kind : "label")
        {
            DisplayNames = names.Any(n => n.Key != n.Value) ? names : null,
            MinLength = min,
            MaxLength = max,
            SourceFile = Path.GetFullPath(file),
        };
    }

    /// <summary>
    /// The task a data file's labels make (`tasks init`): labels in first-seen order, or sorted; each shown as its value,
    /// for the user to rename. Returns the task file's text, with each label's count as a comment.
    /// </summary>
    public static string FromExamples(IReadOnlyList<Example> examples, string name, string source, bool sorted)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var example in examples)
        {
            if (counts.TryAdd(example.Label, 0))
            {
                order.Add(example.Label);
            }

            counts[example.Label]++;
        }

        if (order.Count < 2)
        {
            throw new DataFormatException(source, null, "label", $"a task needs at least two labels; the file has {order.Count}");
        }

        IReadOnlyList<string> labels = sorted ? [.. order.Order(StringComparer.Ordinal)] : order;
        var task = new TaskDefinition(name, labels);
        var comments = labels.ToDictionary(l => l, l => string.Create(CultureInfo.InvariantCulture,
            $"{counts[l]} example{(counts[l] == 1 ? "" : "s")} in {Path.GetFileName(source)}"), StringComparer.Ordinal);
        return Format(task, comments,
            $"Task file written by `lowresgen tasks init` from {Path.GetFileName(source)} ({examples.Count} examples, {labels.Count} labels).\n" +
            "Edit label_kind, and each label's name (what an LLM is shown; value stays as the data stores it); add descriptions if you like.");
    }

    /// <summary>The TOML of a task, for `tasks init` (with per-label comments such as counts) and for writing a task back.</summary>
    public static string Format(TaskDefinition task, IReadOnlyDictionary<string, string>? comments = null, string? header = null)
    {
        var text = new StringBuilder();
        if (header is not null)
        {
            foreach (var line in header.ReplaceLineEndings("\n").Split('\n'))
            {
                text.Append("# ").AppendLine(line);
            }

            text.AppendLine();
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"name = {Quote(task.Name)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"label_kind = {Quote(task.LabelKind)}  # what a label is called in prompts: intent, topic, sentiment, ...");
        if (task.MinLength is { } min)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"min_length = {min}");
        }

        if (task.MaxLength is { } max)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"max_length = {max}");
        }

        foreach (var label in task.Labels)
        {
            text.AppendLine();
            text.Append("[[labels]]");
            if (comments is not null && comments.TryGetValue(label, out var comment))
            {
                text.Append("  # ").Append(comment);
            }

            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"value = {Quote(label)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"name = {Quote(task.DisplayNameOf(label))}");
            if (task.DescriptionOf(label) is { } description)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"description = {Quote(description)}");
            }
        }

        return text.ToString();
    }

    private static string Quote(string value)
    {
        var escaped = new StringBuilder("\"");
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return escaped.Append('"').ToString();
    }

    /// <summary>1-based line of the <paramref name="section"/>-th [[labels]] header (0-based).</summary>
    private static int? SectionLine(string[] lines, int section)
    {
        var seen = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("[[labels]]", StringComparison.Ordinal) && ++seen == section)
            {
                return i + 1;
            }
        }

        return null;
    }

    /// <summary>1-based line where <paramref name="key"/> is set, at the top (<paramref name="section"/> -1) or in a [[labels]] table.</summary>
    private static int? KeyLine(string[] lines, int section, string key)
    {
        var header = section < 0 ? null : SectionLine(lines, section);
        for (var i = header ?? 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart();
            if (section < 0 && line.StartsWith($"[[{key}]]", StringComparison.Ordinal))
            {
                return i + 1;
            }

            if (line.StartsWith('['))
            {
                break; // the table (or the top level) ends here
            }

            if (line.StartsWith(key, StringComparison.Ordinal) && line[key.Length..].TrimStart().StartsWith('='))
            {
                return i + 1;
            }
        }

        return header;
    }
}
