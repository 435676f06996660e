using System.Text;
using System.Text.RegularExpressions;
using LowResGen.Common;

namespace LowResGen.Generation;

/// <summary>
/// A prompt template: named sections ([system], [user], and optional parts inserted into them) with {placeholders}.
/// The built-in templates are embedded in the assembly; a file of the same name (generate.txt, judge.txt, describe.txt)
/// in a user template directory replaces one. <see cref="Version"/> is recorded in every output; a user file's version
/// also carries a hash of its content, so two edited files with the same declared version are still told apart.
/// </summary>
public sealed partial class PromptTemplate
{
    public const string Generate = "generate";
    public const string Judge = "judge";
    public const string Describe = "describe";
    public const string Translate = "translate";

    private readonly Dictionary<string, (string Text, int Line)> _sections;

    private PromptTemplate(string name, string version, string origin, Dictionary<string, (string Text, int Line)> sections)
    {
        Name = name;
        Version = version;
        Origin = origin;
        _sections = sections;
    }

    public string Name { get; }

    /// <summary>e.g. "generate/1", or "generate/1+user-3f2a9c1b" for a user's file.</summary>
    public string Version { get; }

    /// <summary>Where the template was read from: "built-in" or the file path.</summary>
    public string Origin { get; }

    public bool HasSection(string section) => _sections.ContainsKey(section);

    /// <summary>Loads a template by name, from the override directory when it holds a file of that name.</summary>
    public static PromptTemplate Load(string name, string? overrideDirectory)
    {
        if (!string.IsNullOrEmpty(overrideDirectory))
        {
            var path = Path.Combine(overrideDirectory, name + ".txt");
            if (File.Exists(path))
            {
                var text = File.ReadAllText(path);
                return Parse(name, text, path, "+user-" + ContentHash.Of(text, 8));
            }
        }

        var resource = $"LowResGen.Generation.Templates.{name}.txt";
        using var stream = typeof(PromptTemplate).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"Unknown prompt template '{name}' (built-in: {Generate}, {Judge}, {Describe}, {Translate}).", nameof(name));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(name, reader.ReadToEnd(), "built-in", "");
    }

    /// <summary>Parses template text; errors name the origin and line.</summary>
    public static PromptTemplate Parse(string name, string text, string origin, string versionSuffix = "")
    {
        var sections = new Dictionary<string, (string Text, int Line)>(StringComparer.Ordinal);
        string? version = null;
        string? current = null;
        var currentLine = 0;
        var body = new StringBuilder();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var header = SectionHeader().Match(line);
            if (header.Success)
            {
                Close();
                current = header.Groups[1].Value;
                currentLine = i + 2;
                if (sections.ContainsKey(current))
                {
                    throw new DataFormatException(origin, i + 1, current, $"section [{current}] appears twice");
                }

                continue;
            }

            if (current is not null)
            {
                body.Append(line).Append('\n');
            }
            else if (line.TrimStart().StartsWith("version:", StringComparison.OrdinalIgnoreCase))
            {
                version = line[(line.IndexOf(':') + 1)..].Trim();
            }
            else if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
            {
                throw new DataFormatException(origin, i + 1, null, "text before the first [section]; only '# comments' and 'version: N' may come first");
            }
        }

        Close();
        if (string.IsNullOrEmpty(version))
        {
            throw new DataFormatException(origin, 1, "version", "the template declares no 'version: N' line");
        }

        foreach (var required in new[] { "system", "user" })
        {
            if (!sections.ContainsKey(required))
            {
                throw new DataFormatException(origin, null, required, $"the template has no [{required}] section");
            }
        }

        return new PromptTemplate(name, $"{name}/{version}{versionSuffix}", origin, sections);

        void Close()
        {
            if (current is not null)
            {
                sections[current] = (body.ToString().Trim('\n'), currentLine);
            }

            body.Clear();
        }
    }

    /// <summary>Fills a section's placeholders. A placeholder without a value is an error naming the template file and line.</summary>
    public string Render(string section, IReadOnlyDictionary<string, string> values)
    {
        if (!_sections.TryGetValue(section, out var entry))
        {
            throw new DataFormatException(Origin, null, section, $"the template has no [{section}] section");
        }

        var rendered = Placeholder().Replace(entry.Text, match =>
        {
            if (values.TryGetValue(match.Groups[1].Value, out var value))
            {
                return value;
            }

            var line = entry.Line + entry.Text.AsSpan(0, match.Index).Count('\n');
            throw new DataFormatException(Origin, line, match.Value,
                $"unknown placeholder in [{section}]; known here: {string.Join(", ", values.Keys.Select(k => "{" + k + "}"))}");
        });

        // Optional parts that render empty leave blank lines behind; keep at most one.
        return BlankLines().Replace(rendered, "\n\n").Trim();
    }

    /// <summary>Renders an optional section, or "" when the template lacks it.</summary>
    public string RenderOptional(string section, IReadOnlyDictionary<string, string> values) =>
        HasSection(section) ? Render(section, values) : "";

    [GeneratedRegex(@"^\s*\[([a-z][a-z0-9-]*)\]\s*$")]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\n[ \t]*(\n[ \t]*)+\n")]
    private static partial Regex BlankLines();
}
