using LowResGen.Common;
using LowResGen.Data;
using Parquet.Serialization;

namespace LowResGen.Export;

/// <summary>How to describe an exported dataset on its card.</summary>
public sealed record DatasetExportOptions
{
    /// <summary>The card's licence id (Hugging Face's <c>license</c> field); "unknown" until the publisher decides.</summary>
    public string License { get; init; } = "unknown";

    /// <summary>The language of rows that carry none (a generated CSV has no language column).</summary>
    public string? Language { get; init; }

    /// <summary>The card's title; null: derived from task, languages and strategy.</summary>
    public string? PrettyName { get; init; }
}

/// <summary>What an export wrote, with the counts that its card states.</summary>
public sealed record DatasetExportResult(
    string Directory,
    string ParquetFile,
    string CardFile,
    int Rows,
    IReadOnlyDictionary<string, int> CountsPerLabel,
    int RowsWithProvenance);

/// <summary>
/// Writes labelled examples in the layout synthetic sets are published in on the Hugging Face Hub: one Parquet file
/// <c>data/train-00000-of-00001.parquet</c> (text, label value, language, provenance columns) and a dataset card
/// <c>README.md</c> whose YAML front matter says languages, task, labels, generator, strategy, counts per label and licence.
/// Each file is written atomically; the card last, so a card always describes the Parquet file beside it.
/// </summary>
public static class HuggingFaceDataset
{
    public const string ParquetPath = "data/train-00000-of-00001.parquet";
    public const string CardPath = "README.md";

    public static async Task<DatasetExportResult> WriteAsync(string directory, TaskDefinition task, IReadOnlyList<Example> examples,
        GenerationProvenance? provenance, DatasetExportOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new DatasetExportOptions();
        var rows = examples.Select(e => RowOf(e, provenance?.Of(e), options.Language ?? provenance?.Language)).ToList();

        var parquet = Path.Combine(directory, ParquetPath);
        await AtomicFile.WriteAsync(parquet, (stream, ct) => ParquetSerializer.SerializeAsync(rows, stream, null, null, ct), cancellationToken)
            .ConfigureAwait(false);

        var card = DatasetCard.For(task, rows, provenance, options);
        var cardFile = Path.Combine(directory, CardPath);
        await AtomicFile.WriteAllTextAsync(cardFile, card.ToMarkdown(), cancellationToken).ConfigureAwait(false);
        return new DatasetExportResult(Path.GetFullPath(directory), Path.GetFullPath(parquet), Path.GetFullPath(cardFile), rows.Count,
            card.CountsPerLabel, rows.Count(r => r.Strategy is not null));
    }

    /// <summary>Reads the rows of an exported Parquet file back.</summary>
    public static async Task<IReadOnlyList<DatasetRow>> ReadRowsAsync(string parquetFile, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(parquetFile);
        return [.. (await ParquetSerializer.DeserializeAsync<DatasetRow>(stream, null, null, cancellationToken).ConfigureAwait(false)).Data];
    }

    private static DatasetRow RowOf(Example example, Generation.GeneratedExampleRecord? record, string? fallbackLanguage)
    {
        var language = example.Language.Length > 0 ? example.Language : record?.Language ?? fallbackLanguage ?? "";
        var row = new DatasetRow
        {
            Id = record?.Id ?? example.Id,
            Text = example.Text,
            Label = example.Label,
            Language = language,
            Source = record is null ? example.Source : $"lowresgen:{record.Strategy}:{record.Model}",
        };
        return record is null ? row : row with
        {
            Strategy = record.Strategy,
            Model = record.Model,
            Seed = record.Sampling.Seed,
            Temperature = record.Sampling.Temperature,
            TemplateVersion = record.TemplateVersion,
            PromptHash = record.PromptHash,
            DemonstrationIds = string.Join(",", record.DemonstrationIds),
            JudgeVerdict = record.JudgeVerdict,
            CreatedUtc = record.CreatedUtc == default ? null : record.CreatedUtc.UtcDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
