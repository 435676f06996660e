using System.Text.Json;
using LowResGen.Data;
using LowResGen.Generation;

namespace LowResGen.Export;

/// <summary>
/// What a generation run recorded about the examples of its <c>{lang}-generated.csv</c>: the run's settings
/// (<c>{lang}-run.json</c>), the per-class quotas (<c>{lang}-report.json</c>) and every accepted example's provenance
/// (<c>{lang}-examples.jsonl</c>). Read only; an export of a gold file has none.
/// </summary>
public sealed class GenerationProvenance
{
    private readonly ILookup<(string Text, string Label), GeneratedExampleRecord> _accepted;

    private GenerationProvenance(string language, RunManifest? manifest, GenerationReport? report, IEnumerable<GeneratedExampleRecord> records)
    {
        Language = language;
        Manifest = manifest;
        Report = report;
        _accepted = records.Where(r => r.Accepted).ToLookup(r => (r.Text, r.Label));
    }

    public string Language { get; }

    public RunManifest? Manifest { get; }

    public GenerationReport? Report { get; }

    /// <summary>The recorded example behind a (text, label) row of the generated CSV; null when the row was edited or added by hand.</summary>
    public GeneratedExampleRecord? Of(Example example) => _accepted[(example.Text, example.Label)].FirstOrDefault();

    /// <summary>
    /// The provenance beside <paramref name="examplesFile"/> when it is a run's <c>{lang}-generated.csv</c> with its
    /// examples log next to it; otherwise null.
    /// </summary>
    public static async Task<GenerationProvenance?> FindAsync(string examplesFile, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(examplesFile);
        const string suffix = "-generated.csv";
        if (!name.EndsWith(suffix, StringComparison.Ordinal) || name.Length == suffix.Length)
        {
            return null;
        }

        var paths = new GenerationOutputs(Path.GetDirectoryName(Path.GetFullPath(examplesFile))!, name[..^suffix.Length]);
        if (!File.Exists(paths.Examples))
        {
            return null;
        }

        var records = await JsonlLog.ReadAsync<GeneratedExampleRecord>(paths.Examples, cancellationToken).ConfigureAwait(false);
        return new GenerationProvenance(paths.Language,
            await ReadJsonAsync<RunManifest>(paths.Manifest, cancellationToken).ConfigureAwait(false),
            await ReadJsonAsync<GenerationReport>(paths.Report, cancellationToken).ConfigureAwait(false),
            records);
    }

    private static async Task<T?> ReadJsonAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, GenerationOutputs.Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new Common.DataFormatException(path, e.LineNumber + 1, e.Path, "not readable: " + e.Message, e);
        }
    }
}
