using System.Globalization;
using System.Text;
using System.Text.Json;
using LowResGen.Data;

namespace LowResGen.Export;

/// <summary>
/// The dataset card of an export: Hugging Face's README.md with YAML front matter (language, license, task_categories,
/// task_ids, size_categories, configs, dataset_info) and a <c>lowresgen</c> block with the task, its labels, the generator
/// model, the strategy and the counts per label actually exported (with the quota asked for, when a run recorded one).
/// </summary>
public sealed record DatasetCard(
    string PrettyName,
    IReadOnlyList<string> Languages,
    string License,
    TaskDefinition Task,
    IReadOnlyList<string> Generators,
    IReadOnlyList<string> Strategies,
    IReadOnlyDictionary<string, int>? RequestedPerLabel,
    IReadOnlyDictionary<string, int> CountsPerLabel,
    int Rows,
    int RowsWithProvenance)
{
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The labels exported with fewer rows than their run asked for (empty when no run recorded its quotas).</summary>
    public IReadOnlyList<string> ShortLabels =>
        RequestedPerLabel is { } asked ? [.. Task.Labels.Where(l => asked.TryGetValue(l, out var quota) && CountsPerLabel[l] < quota)] : [];

    private int? Asked(string label) => RequestedPerLabel is not null && RequestedPerLabel.TryGetValue(label, out var quota) ? quota : null;

    public static DatasetCard For(TaskDefinition task, IReadOnlyList<DatasetRow> rows, GenerationProvenance? provenance, DatasetExportOptions options)
    {
        var counts = task.Labels.ToDictionary(l => l, l => 0, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            counts[row.Label] = counts.GetValueOrDefault(row.Label) + 1;
        }

        var languages = rows.Select(r => r.Language).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var generators = Distinct(rows.Select(r => r.Model), provenance?.Manifest?.Model);
        var strategies = Distinct(rows.Select(r => r.Strategy), provenance?.Manifest?.Strategy);
        var name = options.PrettyName
            ?? $"{task.Name} ({(languages.Count == 0 ? "unknown language" : string.Join(", ", languages))})"
               + (strategies.Count == 0 ? "" : $", synthetic ({string.Join(", ", strategies)})");
        var asked = provenance?.Report?.Classes.ToDictionary(c => c.Label, c => c.Quota, StringComparer.Ordinal);
        return new DatasetCard(name, languages, options.License, task, generators, strategies, asked, counts,
            rows.Count, rows.Count(r => r.Strategy is not null));
    }

    public string ToMarkdown()
    {
        var yaml = new StringBuilder();
        void Line(string text) => yaml.Append(text).Append('\n');
        void List(string key, IEnumerable<string> values)
        {
            var all = values.ToList();
            Line(all.Count == 0 ? $"{key}: []" : $"{key}:");
            all.ForEach(v => Line("- " + Quote(v)));
        }

        Line("---");
        Line("pretty_name: " + Quote(PrettyName));
        List("language", Languages);
        Line("license: " + Quote(License));
        List("task_categories", ["text-classification"]);
        List("task_ids", [TaskId(Task.LabelKind)]);
        List("size_categories", [SizeCategory(Rows)]);
        List("tags", Strategies.Count > 0 ? ["synthetic", "lowresgen"] : ["lowresgen"]);
        Line("configs:");
        Line("- config_name: default");
        Line("  data_files:");
        Line("  - split: train");
        Line("    path: data/train-*.parquet");
        Line("dataset_info:");
        Line("  features:");
        foreach (var (feature, type) in Features)
        {
            Line($"  - name: {feature}");
            Line($"    dtype: {type}");
        }

        Line("  splits:");
        Line("  - name: train");
        Line($"    num_examples: {Rows.ToString(CultureInfo.InvariantCulture)}");
        Line("lowresgen:");
        Line("  task: " + Quote(Task.Name));
        Line("  label_kind: " + Quote(Task.LabelKind));
        Line("  labels:");
        foreach (var label in Task.Labels)
        {
            Line("  - value: " + Quote(label));
            Line("    name: " + Quote(Task.DisplayNameOf(label)));
        }

        Line("  generator: " + (Generators.Count == 0 ? "null" : Quote(string.Join(", ", Generators))));
        Line("  strategy: " + (Strategies.Count == 0 ? "null" : Quote(string.Join(", ", Strategies))));
        Line($"  examples: {Rows.ToString(CultureInfo.InvariantCulture)}");
        Line($"  examples_with_provenance: {RowsWithProvenance.ToString(CultureInfo.InvariantCulture)}");
        Line("  counts:");
        foreach (var label in Task.Labels)
        {
            Line($"    {Quote(label)}: {CountsPerLabel[label].ToString(CultureInfo.InvariantCulture)}");
        }

        Line("  requested:" + (RequestedPerLabel is null ? " null" : ""));
        foreach (var label in Task.Labels.Where(l => Asked(l) is not null))
        {
            Line($"    {Quote(label)}: {Asked(label)!.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        Line("  short_labels:" + (ShortLabels.Count == 0 ? " []" : ""));
        foreach (var label in ShortLabels)
        {
            Line("  - " + Quote(label));
        }

        Line("---");
        return yaml + Body();
    }

    private static readonly (string Name, string Type)[] Features =
    [
        ("id", "string"), ("text", "string"), ("label", "string"), ("language", "string"), ("source", "string"),
        ("strategy", "string"), ("model", "string"), ("seed", "int64"), ("temperature", "float64"), ("template_version", "string"),
        ("prompt_hash", "string"), ("demonstration_ids", "string"), ("judge_verdict", "string"), ("created_utc", "string"),
    ];

    private string Body()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\n# {PrettyName}\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"{Rows} labelled texts for the `{Task.Name}` task ({Task.Labels.Count} labels), exported by LowResGen. ");
        text.Append(Strategies.Count == 0
            ? "No generation run recorded these rows (gold or hand-made data).\n\n"
            : $"Generated by `{string.Join(", ", Generators)}` with the `{string.Join(", ", Strategies)}` strategy; "
              + $"{RowsWithProvenance} of {Rows} rows carry the run's provenance (seed, prompt hash, demonstrations).\n\n");
        text.Append("| label | name | examples |");
        text.Append(RequestedPerLabel is null ? "\n|---|---|---:|\n" : " asked |\n|---|---|---:|---:|\n");
        foreach (var label in Task.Labels)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {label} | {Task.DisplayNameOf(label)} | {CountsPerLabel[label]} |");
            text.Append(RequestedPerLabel is null ? "\n"
                : Asked(label) is { } quota ? FormattableString.Invariant($" {quota}{(CountsPerLabel[label] < quota ? " (short)" : "")} |\n") : " – |\n");
        }

        text.Append("\nColumns: `text`, `label` (the label value), `language` (ISO 639-1 where one exists), `source`, and for generated rows ");
        text.Append("`strategy`, `model`, `seed`, `temperature`, `template_version`, `prompt_hash`, `demonstration_ids`, `judge_verdict`, `created_utc`.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Licence: `{License}`. Generated text may be bound by the generator model's licence and the ");
        text.Append("licence of the demonstrations it was shown; set the licence field before publishing.\n");
        return text.ToString();
    }

    private static IReadOnlyList<string> Distinct(IEnumerable<string?> values, string? fallback)
    {
        var found = values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return found.Count > 0 || fallback is null ? found : [fallback];
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, Quoting);

    private static string TaskId(string labelKind) => labelKind switch
    {
        "intent" => "intent-classification",
        "topic" => "topic-classification",
        "sentiment" => "sentiment-classification",
        _ => "multi-class-classification",
    };

    private static string SizeCategory(int rows) => rows switch
    {
        < 1_000 => "n<1K",
        < 10_000 => "1K<n<10K",
        < 100_000 => "10K<n<100K",
        < 1_000_000 => "100K<n<1M",
        _ => "1M<n<10M",
    };
}
