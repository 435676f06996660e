using System.Globalization;

namespace LowResGen.Generation;

/// <summary>Where the demonstrations shown in the prompt come from.</summary>
public enum DemonstrationSource
{
    None,

    /// <summary>k examples per label from the English training data.</summary>
    English,

    /// <summary>k examples per label from the target language's training data.</summary>
    Target,
}

/// <summary>How the prompt explains what a label means.</summary>
public enum LabelDescriptionSource
{
    None,

    /// <summary>The human-written description of the task definition.</summary>
    Human,

    /// <summary>One sentence an LLM wrote after reading k random training examples of the label ("summarized label").</summary>
    Summarized,
}

/// <summary>
/// A generation strategy: three independent choices (demonstrations, label description, revision by an LLM judge), or
/// <see cref="Translate"/>: the LLM translates the English gold training examples of each label instead of writing new
/// ones (composes with revision and a label description, not with demonstrations: the English examples are its input).
/// <see cref="Name"/> is the canonical composition syntax, e.g. <c>target-demos:k=5+human-desc+revision</c>;
/// <see cref="Parse"/> reads it back, as well as the preset names of the reference study.
/// </summary>
public sealed record GenerationStrategy(
    DemonstrationSource Demonstrations,
    LabelDescriptionSource Description,
    bool Revision,
    int DemonstrationsPerLabel = GenerationStrategy.DefaultK,
    int SummaryExamplesPerLabel = GenerationStrategy.DefaultK)
{
    public const int DefaultK = 10;

    /// <summary>Candidates are translations of English gold training examples ("translate"), not new examples.</summary>
    public bool Translate { get; init; }

    /// <summary>The seven strategies the reference study compared, by their preset names.</summary>
    public static IReadOnlyList<string> Presets { get; } =
    [
        "sl", "english-demos+sl", "english-demos+revision", "target-demos", "target-demos+sl", "target-demos+revision",
        "target-demos+sl+revision",
    ];

    /// <summary>The canonical name: components joined by '+', options only where they differ from the defaults.</summary>
    public string Name
    {
        get
        {
            var parts = new List<string>();
            if (Translate)
            {
                parts.Add("translate");
            }

            if (Demonstrations != DemonstrationSource.None)
            {
                var name = Demonstrations == DemonstrationSource.English ? "english-demos" : "target-demos";
                parts.Add(DemonstrationsPerLabel == DefaultK ? name : $"{name}:k={DemonstrationsPerLabel}");
            }

            if (Description == LabelDescriptionSource.Human)
            {
                parts.Add("human-desc");
            }
            else if (Description == LabelDescriptionSource.Summarized)
            {
                parts.Add(SummaryExamplesPerLabel == DefaultK ? "sl" : $"sl:k={SummaryExamplesPerLabel}");
            }

            if (Revision)
            {
                parts.Add("revision");
            }

            return parts.Count == 0 ? "zero-shot" : string.Join('+', parts);
        }
    }

    /// <summary>Whether the strategy reads gold English training data (English demonstrations, or translating English examples).</summary>
    public bool NeedsEnglishTrainingData => Demonstrations == DemonstrationSource.English || Translate;

    /// <summary>
    /// Whether the strategy reads gold target-language training data: target demonstrations, or label summaries (summarized
    /// from the target language's examples). The CLI and studies load exactly what these two say.
    /// </summary>
    public bool NeedsTargetTrainingData => Demonstrations == DemonstrationSource.Target || Description == LabelDescriptionSource.Summarized;

    public override string ToString() => Name;

    /// <summary>
    /// Parses a preset or a composition: components joined by '+', each optionally followed by ':key=value,...'.
    /// Components: english-demos, target-demos (option k), no-demos; sl / summarized-desc (option k), human-desc, no-desc;
    /// revision, no-revision; zero-shot (nothing at all).
    /// </summary>
    public static GenerationStrategy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException("Empty strategy name. " + Vocabulary);
        }

        var demonstrations = (Source: DemonstrationSource.None, K: DefaultK, Set: false);
        var description = (Source: LabelDescriptionSource.None, K: DefaultK, Set: false);
        bool? revision = null;
        var translate = false;
        foreach (var rawPart in trimmed.Split('+'))
        {
            var part = rawPart.Trim();
            var colon = part.IndexOf(':');
            var head = (colon < 0 ? part : part[..colon]).Trim().ToLowerInvariant();
            var options = colon < 0 ? new Dictionary<string, string>() : ParseOptions(text, part[(colon + 1)..]);
            switch (head)
            {
                case "english-demos" or "en-demos" or "target-demos" or "no-demos":
                    Ensure(!demonstrations.Set, text, "demonstrations are chosen twice");
                    demonstrations = (head switch
                    {
                        "no-demos" => DemonstrationSource.None,
                        "target-demos" => DemonstrationSource.Target,
                        _ => DemonstrationSource.English,
                    }, TakeK(text, part, options), true);
                    break;
                case "sl" or "summarized-desc" or "human-desc" or "no-desc":
                    Ensure(!description.Set, text, "the label description is chosen twice");
                    description = (head switch
                    {
                        "human-desc" => LabelDescriptionSource.Human,
                        "no-desc" => LabelDescriptionSource.None,
                        _ => LabelDescriptionSource.Summarized,
                    }, TakeK(text, part, options), true);
                    break;
                case "revision" or "no-revision":
                    Ensure(revision is null, text, "revision is chosen twice");
                    Ensure(options.Count == 0, text, $"'{head}' takes no options");
                    revision = head == "revision";
                    break;
                case "translate":
                    Ensure(!translate, text, "translate is chosen twice");
                    Ensure(options.Count == 0, text, "'translate' takes no options");
                    translate = true;
                    break;
                case "zero-shot" or "none":
                    Ensure(trimmed.Split('+').Length == 1, text, $"'{head}' cannot be combined with other components");
                    break;
                default:
                    throw new FormatException($"Unknown strategy component '{part}' in '{text}'. {Vocabulary}");
            }
        }

        Ensure(!translate || demonstrations.Source == DemonstrationSource.None, text,
            "translate takes the English examples as its input and shows no demonstrations");
        return new GenerationStrategy(demonstrations.Source, description.Source, revision ?? false, demonstrations.K, description.K)
        {
            Translate = translate,
        };
    }

    /// <summary>
    /// Reads strategies from a file: one preset or composition per line; blank lines and lines starting with '#' are ignored.
    /// A bad line is reported with the file and line number.
    /// </summary>
    public static async Task<IReadOnlyList<GenerationStrategy>> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new Common.DataFormatException(path, null, null, "file not found");
        }

        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        var strategies = new List<GenerationStrategy>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            try
            {
                strategies.Add(Parse(line));
            }
            catch (FormatException e)
            {
                throw new Common.DataFormatException(path, i + 1, "strategy", e.Message, e);
            }
        }

        return strategies.Count > 0
            ? strategies
            : throw new Common.DataFormatException(path, null, "strategy", "the file names no strategy");
    }

    private const string Vocabulary =
        "Use a preset (sl, english-demos+sl, english-demos+revision, target-demos, target-demos+sl, target-demos+revision, " +
        "target-demos+sl+revision) or join components with '+': english-demos[:k=N] | target-demos[:k=N] | no-demos, " +
        "sl[:k=N] | human-desc | no-desc, revision | no-revision, translate (instead of demonstrations), or zero-shot.";

    private static int TakeK(string text, string part, Dictionary<string, string> options)
    {
        var k = DefaultK;
        foreach (var (key, value) in options)
        {
            Ensure(key == "k", text, $"unknown option '{key}' in '{part}' (only k is known)");
            Ensure(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out k) && k > 0, text,
                $"k must be a positive whole number in '{part}'");
        }

        return k;
    }

    private static Dictionary<string, string> ParseOptions(string text, string options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = option.IndexOf('=');
            Ensure(equals > 0, text, $"option '{option}' must look like key=value");
            result[option[..equals].Trim().ToLowerInvariant()] = option[(equals + 1)..].Trim();
        }

        return result;
    }

    private static void Ensure(bool condition, string text, string problem)
    {
        if (!condition)
        {
            throw new FormatException($"Bad strategy '{text}': {problem}. {Vocabulary}");
        }
    }
}
