using System.Text;
using System.Text.Json;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Generation;

/// <summary>
/// The files of a generation run in its output directory, named by language so that several languages can share one
/// directory (evaluation reads them as <c>{lang}-generated.csv</c>):
/// <c>{lang}-generated.csv</c> (text,intent: the training set), <c>{lang}-rejected.csv</c> (text,intent,stage,reason),
/// <c>{lang}-examples.jsonl</c> (every example with its provenance), <c>{lang}-attempts.jsonl</c> (every request and raw answer),
/// <c>{lang}-report.json</c>, <c>{lang}-label-descriptions.json</c> and <c>{lang}-run.json</c> (the settings a rerun must match).
/// </summary>
public sealed record GenerationOutputs(string Directory, string Language)
{
    public string Generated => File("generated.csv");

    public string Rejected => File("rejected.csv");

    public string Examples => File("examples.jsonl");

    public string Attempts => File("attempts.jsonl");

    public string Report => File("report.json");

    public string Descriptions => File("label-descriptions.json");

    public string Manifest => File("run.json");

    private string File(string name) => Path.Combine(Directory, $"{Language}-{name}");

    internal static JsonSerializerOptions Json { get; } = new(LabelDescriptionStore.Json);

    /// <summary>Writes the derived files (CSVs and report) atomically; the JSONL logs were written as the run went.</summary>
    public static async Task WriteAsync(string directory, string language, IReadOnlyList<Example> accepted,
        IReadOnlyList<GeneratedExampleRecord> records, GenerationReport report, CancellationToken cancellationToken,
        string labelColumn = CsvWriteOptions.DefaultLabelColumn)
    {
        var paths = new GenerationOutputs(directory, language);
        await ExampleFiles.WriteCsvAsync(paths.Generated, accepted, new CsvWriteOptions { LabelColumn = labelColumn }, cancellationToken).ConfigureAwait(false);
        await CsvFormat.WriteAsync(paths.Rejected, ["text", labelColumn, "stage", "reason"],
            records.Where(r => !r.Accepted).Select(r => new[] { r.Text, r.Label, r.RejectionStage ?? "", r.RejectionReason ?? "" }),
            cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(paths.Report, JsonSerializer.Serialize(report, Json), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The settings that identify a run; a rerun into the same directory must match them to resume.</summary>
public sealed record RunManifest(
    string Task,
    string Language,
    string Strategy,
    string Model,
    int Seed,
    string GenerateTemplate,
    string? JudgeTemplate,
    string? DescribeTemplate)
{
    /// <summary>True when a matching earlier run is there to resume; writes the manifest when there is none.</summary>
    public static async Task<bool> CheckOrWriteAsync(string path, RunManifest manifest, CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists(path))
        {
            await AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(manifest, GenerationOutputs.Json), cancellationToken)
                .ConfigureAwait(false);
            return false;
        }

        RunManifest? existing;
        try
        {
            existing = JsonSerializer.Deserialize<RunManifest>(await System.IO.File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false),
                GenerationOutputs.Json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber + 1, e.Path, "not a valid run manifest: " + e.Message, e);
        }

        if (existing != manifest)
        {
            throw new InvalidOperationException(
                $"{System.IO.Path.GetDirectoryName(path)} holds a generation run with other settings ({SettingsDifference.Describe(existing!, manifest)}), "
                + "so it cannot be resumed: choose another output directory, or delete that one to start over.");
        }

        return true;
    }
}
