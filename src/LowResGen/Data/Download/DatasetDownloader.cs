using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using LowResGen.Common;
using LowResGen.Common.Downloads;
using LowResGen.Data.Import;

namespace LowResGen.Data.Download;

/// <summary>The public datasets <see cref="DatasetDownloader"/> can fetch.</summary>
public enum PublicDataset
{
    /// <summary>SIB-200 topic classification: data/&lt;flores_code&gt;/{train,dev,test}.tsv (Hugging Face Davlan/sib200 layout).</summary>
    Sib200,

    /// <summary>MASSIVE 1.1 intents: one tar.gz with a JSON Lines file per locale.</summary>
    Massive,
}

public sealed record DatasetDownloadOptions
{
    /// <summary>The dataset goes into a sub-folder named after it (sib200/, massive/).</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Any codes the language registry knows, or FLORES codes / MASSIVE locales it does not.</summary>
    public IReadOnlyList<string> Languages { get; init; } = LanguageRegistry.ReferenceLanguages;

    /// <summary>Where the release lives; null means the public location (<see cref="DatasetDownloader.DefaultBaseUrl"/>).</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Pinned SHA-256 of the MASSIVE archive (a single file); use <see cref="PinnedManifest"/> for SIB-200.</summary>
    public string? Sha256 { get; init; }

    /// <summary>A manifest whose checksums the downloaded files must have (paths relative to the dataset folder).</summary>
    public string? PinnedManifest { get; init; }

    /// <summary>Forget the checksums recorded by an earlier download (the upstream files changed on purpose).</summary>
    public bool Refresh { get; init; }

    /// <summary>Sent with every request (e.g. a Hugging Face token from HF_TOKEN); never logged or stored.</summary>
    public AuthenticationHeaderValue? Authorization { get; init; }
}

/// <summary>Progress of one dataset download: which file (1-based of <see cref="FileCount"/>), what is being done, how many bytes.</summary>
public sealed record DatasetDownloadProgress(string File, int FileIndex, int FileCount, string Stage, long BytesDone, long? BytesTotal);

/// <summary>One file of the dataset folder, with its checksum; <see cref="Reused"/> when the verified file was already there.</summary>
public sealed record DatasetFile(string RelativePath, long Length, string Sha256, bool Reused);

public sealed record DatasetDownloadResult(string Folder, IReadOnlyList<DatasetFile> Files, string ManifestPath);

/// <summary>
/// Fetches SIB-200 and MASSIVE 1.1 into a local folder with resume and SHA-256 verification. Checksums come from a
/// pinned manifest or hash when given; otherwise the first download records them (trust on first use) in
/// <c>manifest.json</c> in the dataset folder, and every later download or re-use is verified against it.
/// </summary>
public sealed class DatasetDownloader(ResumableDownloader downloader)
{
    public const string MassiveArchiveName = "amazon-massive-dataset-1.1.tar.gz";

    public static Uri DefaultBaseUrl(PublicDataset dataset) => dataset switch
    {
        PublicDataset.Sib200 => new Uri("https://huggingface.co/datasets/Davlan/sib200/resolve/main/"),
        PublicDataset.Massive => new Uri("https://amazon-massive-nlu-dataset.s3.amazonaws.com/"),
        _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, null),
    };

    public static string FolderName(PublicDataset dataset) => dataset switch
    {
        PublicDataset.Sib200 => "sib200",
        PublicDataset.Massive => "massive",
        _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, null),
    };

    public async Task<DatasetDownloadResult> DownloadAsync(
        PublicDataset dataset, DatasetDownloadOptions options, IProgress<DatasetDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Languages.Count == 0)
        {
            throw new ArgumentException("No languages to download.", nameof(options));
        }

        if (dataset == PublicDataset.Sib200 && options.Sha256 is not null)
        {
            throw new ArgumentException("SIB-200 is many files: pin their checksums with a manifest, not a single SHA-256.", nameof(options));
        }

        var name = FolderName(dataset);
        var folder = Path.GetFullPath(Path.Combine(options.OutputFolder, name));
        Directory.CreateDirectory(folder);
        var manifestPath = Path.Combine(folder, DatasetManifest.FileName);
        var recorded = await DatasetManifest.LoadAsync(manifestPath, name, cancellationToken).ConfigureAwait(false);
        var pinned = options.PinnedManifest is null ? null : await LoadPinnedAsync(options.PinnedManifest, name, cancellationToken).ConfigureAwait(false);
        var session = new Session(downloader, options, folder, manifestPath, recorded, pinned, progress);
        var baseUrl = WithTrailingSlash(options.BaseUrl ?? DefaultBaseUrl(dataset));

        if (dataset == PublicDataset.Sib200)
        {
            var files = options.Languages.Select(Sib200Files.FloresCodeOf).Distinct(StringComparer.Ordinal)
                .SelectMany(code => Sib200Files.AllSplits.Select(split => $"{code}/{split}.tsv"))
                .ToList();
            for (var i = 0; i < files.Count; i++)
            {
                await session.FetchAsync(new Uri(baseUrl, "data/" + files[i]), files[i], null, i + 1, files.Count, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var locales = options.Languages.Select(MassiveFiles.LocaleOf).Distinct(StringComparer.Ordinal).ToList();
            await session.FetchAsync(new Uri(baseUrl, MassiveArchiveName), MassiveArchiveName, options.Sha256, 1, 2, cancellationToken).ConfigureAwait(false);
            await session.ExtractLocalesAsync(MassiveArchiveName, locales, cancellationToken).ConfigureAwait(false);
        }

        return new DatasetDownloadResult(folder, session.Files, manifestPath);
    }

    private static async Task<DatasetManifest> LoadPinnedAsync(string path, string dataset, CancellationToken cancellationToken) =>
        File.Exists(path)
            ? await DatasetManifest.LoadAsync(path, dataset, cancellationToken).ConfigureAwait(false)
            : throw new DataFormatException(path, null, null, "pinned manifest not found");

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    /// <summary>The state of one download run: the manifest as recorded so far and the files done.</summary>
    private sealed class Session(
        ResumableDownloader downloader,
        DatasetDownloadOptions options,
        string folder,
        string manifestPath,
        DatasetManifest recorded,
        DatasetManifest? pinned,
        IProgress<DatasetDownloadProgress>? progress)
    {
        private DatasetManifest _manifest = recorded;

        public List<DatasetFile> Files { get; } = [];

        public async Task FetchAsync(Uri source, string relativePath, string? pinnedSha256, int index, int count, CancellationToken cancellationToken)
        {
            var expected = pinnedSha256 ?? pinned?.Find(relativePath)?.Sha256 ?? (options.Refresh ? null : _manifest.Find(relativePath)?.Sha256);
            var bytes = progress is null ? null : new Progress(p => progress.Report(
                new DatasetDownloadProgress(relativePath, index, count, "download", p.BytesReceived, p.TotalBytes)));
            var result = await downloader.DownloadAsync(
                new DownloadRequest(source, Path.Combine(folder, relativePath), expected) { Authorization = options.Authorization },
                bytes, cancellationToken).ConfigureAwait(false);
            await RecordAsync(relativePath, result.Sha256, result.Length, result.AlreadyPresent ? _manifest.Find(relativePath)?.Source : UrlRedaction.Describe(source), result.AlreadyPresent, cancellationToken)
                .ConfigureAwait(false);
        }

        /// <summary>Extracts <c>&lt;locale&gt;.jsonl</c> of each locale from the archive into the dataset folder.</summary>
        public async Task ExtractLocalesAsync(string archive, IReadOnlyList<string> locales, CancellationToken cancellationToken)
        {
            var archivePath = Path.Combine(folder, archive);
            var wanted = locales.ToDictionary(l => l + ".jsonl", l => l, StringComparer.Ordinal);
            var found = new HashSet<string>(StringComparer.Ordinal);
            await using (var file = File.OpenRead(archivePath))
            await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            await using (var tar = new TarReader(gzip))
            {
                try
                {
                    while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        var name = Path.GetFileName(entry.Name);
                        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null
                            || !wanted.ContainsKey(name) || !found.Add(name))
                        {
                            continue;
                        }

                        progress?.Report(new DatasetDownloadProgress(name, 2, 2, "extract", 0, entry.Length));
                        var stream = entry.DataStream;
                        await AtomicFile.WriteAsync(Path.Combine(folder, name), (output, ct) => stream.CopyToAsync(output, ct), cancellationToken).ConfigureAwait(false);
                        var (sha256, length) = await ResumableDownloader.Sha256OfFileAsync(Path.Combine(folder, name), cancellationToken).ConfigureAwait(false);
                        await RecordAsync(name, sha256, length, null, reused: false, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
                {
                    throw new DataFormatException(archivePath, null, null, $"not a readable tar.gz archive: {e.Message}", e);
                }
            }

            var missing = wanted.Keys.Where(name => !found.Contains(name)).ToList();
            if (missing.Count > 0)
            {
                throw new DataFormatException(archivePath, null, null, $"the archive has no {string.Join(", ", missing)}");
            }
        }

        private async Task RecordAsync(string relativePath, string sha256, long length, string? source, bool reused, CancellationToken cancellationToken)
        {
            var previous = _manifest.Find(relativePath);
            var entry = reused && previous is not null && previous.Sha256 == sha256
                ? previous
                : new ManifestEntry(sha256, length, source, DateTimeOffset.UtcNow);
            _manifest = _manifest.With(relativePath, entry);
            Files.Add(new DatasetFile(relativePath, length, sha256, reused));
            // Persist after every file, so an interrupted run keeps what it verified.
            await _manifest.SaveAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reports synchronously: the CLI's progress display is thread-safe and a posted report could arrive after the end.</summary>
    private sealed class Progress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
