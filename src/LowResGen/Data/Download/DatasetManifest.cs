using System.Text.Json;
using System.Text.Json.Serialization;
using LowResGen.Common;

namespace LowResGen.Data.Download;

/// <summary>The SHA-256 and size of one file of a dataset folder, and where it came from (URL without query string).</summary>
public sealed record ManifestEntry(string Sha256, long Length, string? Source, DateTimeOffset? RetrievedUtc);

/// <summary>
/// Checksums of the files of a dataset folder, keyed by path relative to the folder ('/' separated). Written next to
/// the data after each file, so a later download or a copy of the folder can be verified against it; a manifest given
/// by the user pins the checksums a download must have.
/// </summary>
public sealed record DatasetManifest(string Dataset, IReadOnlyDictionary<string, ManifestEntry> Files)
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public ManifestEntry? Find(string relativePath) => Files.GetValueOrDefault(relativePath.Replace('\\', '/'));

    public DatasetManifest With(string relativePath, ManifestEntry entry)
    {
        var files = new SortedDictionary<string, ManifestEntry>(Files.ToDictionary(), StringComparer.Ordinal)
        {
            [relativePath.Replace('\\', '/')] = entry,
        };
        return this with { Files = files };
    }

    /// <summary>Reads a manifest, or returns an empty one for <paramref name="dataset"/> when the file does not exist.</summary>
    public static async Task<DatasetManifest> LoadAsync(string path, string dataset, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return new DatasetManifest(dataset, new SortedDictionary<string, ManifestEntry>(StringComparer.Ordinal));
        }

        try
        {
            await using var stream = File.OpenRead(path);
            var manifest = await JsonSerializer.DeserializeAsync<DatasetManifest>(stream, Json, cancellationToken).ConfigureAwait(false);
            if (manifest?.Files is null)
            {
                throw new DataFormatException(path, null, "files", "not a dataset manifest");
            }

            foreach (var (file, entry) in manifest.Files)
            {
                try
                {
                    Common.Downloads.ResumableDownloader.NormalizeSha256(entry.Sha256);
                }
                catch (ArgumentException e)
                {
                    throw new DataFormatException(path, null, file, e.Message, e);
                }
            }

            return manifest;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber + 1, e.Path, $"invalid manifest JSON: {e.Message}", e);
        }
    }

    public Task SaveAsync(string path, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(this, Json) + "\n", cancellationToken);
}
