using System.Security.Cryptography;
using LowResGen.Common;
using LowResGen.Common.Downloads;
using LowResGen.Data;
using LowResGen.Data.Download;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Data.Download;

public sealed class DatasetDownloaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();

    private static string Sib200Shared => Path.Combine(SharedData.Datasets, "sib200");

    private DatasetDownloader Downloader => new(new ResumableDownloader(_http, new ResumableDownloaderOptions { RetryDelay = TimeSpan.Zero }));

    [Fact]
    public async Task Sib200_languages_are_downloaded_verified_recorded_and_importable()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(Sib200Shared, "data");
        var options = new DatasetDownloadOptions { OutputFolder = _temp.File("out"), Languages = ["cy", "tel_Telu"], BaseUrl = server.BaseUri };
        var reports = new List<DatasetDownloadProgress>();

        var result = await Downloader.DownloadAsync(PublicDataset.Sib200, options, new SynchronousProgress<DatasetDownloadProgress>(reports.Add), CancellationToken.None);

        Assert.Equal(6, result.Files.Count);
        foreach (var file in result.Files)
        {
            var original = Path.Combine(Sib200Shared, file.RelativePath);
            Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(Path.Combine(result.Folder, file.RelativePath)));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(original))), file.Sha256);
        }

        var manifest = await DatasetManifest.LoadAsync(result.ManifestPath, "sib200", CancellationToken.None);
        Assert.Equal(result.Files.Select(f => f.RelativePath).Order(), manifest.Files.Keys.Order());
        Assert.Equal(server.Url("data/cym_Latn/train.tsv").AbsoluteUri, manifest.Find("cym_Latn/train.tsv")!.Source);
        Assert.Equal(6, reports.Select(r => r.File).Distinct().Count());
        Assert.All(reports, r => Assert.Equal(6, r.FileCount));

        var welsh = await Sib200Files.ReadLanguageAsync(result.Folder, "cy", null, CancellationToken.None);
        Assert.Equal(1004, welsh.Examples.Count);

        var again = await Downloader.DownloadAsync(PublicDataset.Sib200, options, null, CancellationToken.None);
        Assert.All(again.Files, f => Assert.True(f.Reused));
        Assert.Equal(6, server.RequestCount());
    }

    [Fact]
    public async Task Redownload_is_verified_against_the_recorded_checksum_unless_refreshed()
    {
        var served = _temp.File("served");
        Directory.CreateDirectory(Path.Combine(served, "cym_Latn"));
        foreach (var split in Sib200Files.AllSplits)
        {
            File.Copy(SharedData.Sib200("cym_Latn", split), Path.Combine(served, "cym_Latn", split + ".tsv"));
        }

        await using var server = await LocalFileServer.ServeFolderAsync(served, "data");
        var options = new DatasetDownloadOptions { OutputFolder = _temp.File("out"), Languages = ["cy"], BaseUrl = server.BaseUri };
        var first = await Downloader.DownloadAsync(PublicDataset.Sib200, options, null, CancellationToken.None);

        // Upstream changes and the local copy is lost: the recorded checksum catches the difference.
        await File.AppendAllTextAsync(Path.Combine(served, "cym_Latn", "dev.tsv"), "999\ttravel\tNewly added.\n");
        var local = Path.Combine(first.Folder, "cym_Latn", "dev.tsv");
        File.Delete(local);
        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => Downloader.DownloadAsync(PublicDataset.Sib200, options, null, CancellationToken.None));
        Assert.Equal(local, error.File);
        Assert.False(File.Exists(local));

        var refreshed = await Downloader.DownloadAsync(PublicDataset.Sib200, options with { Refresh = true }, null, CancellationToken.None);
        var dev = refreshed.Files.Single(f => f.RelativePath == "cym_Latn/dev.tsv");
        var manifest = await DatasetManifest.LoadAsync(refreshed.ManifestPath, "sib200", CancellationToken.None);
        Assert.Equal(dev.Sha256, manifest.Find("cym_Latn/dev.tsv")!.Sha256);
        Assert.EndsWith("Newly added.\n", await File.ReadAllTextAsync(local), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinned_manifest_with_a_wrong_checksum_leaves_no_file()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(Sib200Shared, "data");
        var pinned = _temp.File("pinned.json");
        await new DatasetManifest("sib200", new Dictionary<string, ManifestEntry>
        {
            ["cym_Latn/train.tsv"] = new(new string('0', 64), 1, null, null),
        }).SaveAsync(pinned, CancellationToken.None);

        var options = new DatasetDownloadOptions { OutputFolder = _temp.File("out"), Languages = ["cy"], BaseUrl = server.BaseUri, PinnedManifest = pinned };
        await Assert.ThrowsAsync<ChecksumMismatchException>(() => Downloader.DownloadAsync(PublicDataset.Sib200, options, null, CancellationToken.None));

        Assert.False(File.Exists(_temp.File("out", "sib200", "cym_Latn", "train.tsv")));
        Assert.False(File.Exists(_temp.File("out", "sib200", "cym_Latn", "train.tsv.partial")));
    }

    [Fact]
    public async Task Massive_archive_is_resumed_verified_and_only_requested_locales_are_extracted()
    {
        var (archive, locales) = await MassiveArchive.BuildAsync(_temp.File("build"), "cy", "te");
        await using var server = await LocalFileServer.ServeFilesAsync(new Dictionary<string, string> { [DatasetDownloader.MassiveArchiveName] = archive });
        server.DropConnectionAfter(new FileInfo(archive).Length / 2);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(archive)));
        var options = new DatasetDownloadOptions { OutputFolder = _temp.File("out"), Languages = ["Welsh"], BaseUrl = server.BaseUri, Sha256 = sha256 };

        var result = await Downloader.DownloadAsync(PublicDataset.Massive, options, null, CancellationToken.None);

        // Cut once, then fetched again (a resume when any bytes had arrived; the archive is small, so maybe from 0).
        Assert.Equal(2, server.RequestCount());
        Assert.Equal([DatasetDownloader.MassiveArchiveName, "cy-GB.jsonl"], result.Files.Select(f => f.RelativePath));
        Assert.Equal(await File.ReadAllBytesAsync(locales["cy-GB"].Path), await File.ReadAllBytesAsync(Path.Combine(result.Folder, "cy-GB.jsonl")));
        Assert.False(File.Exists(Path.Combine(result.Folder, "te-IN.jsonl")));

        var welsh = await MassiveFiles.ReadLanguageAsync(result.Folder, "cy", BuiltInTasks.Massive10, null, CancellationToken.None);
        Assert.Equal(locales["cy-GB"].Train + locales["cy-GB"].Test, welsh.Examples.Count);

        var missing = await Assert.ThrowsAsync<DataFormatException>(() =>
            Downloader.DownloadAsync(PublicDataset.Massive, options with { Languages = ["de"] }, null, CancellationToken.None));
        Assert.Contains("de-DE.jsonl", missing.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.RequestCount());
    }

    [Fact]
    public async Task Massive_archive_with_the_wrong_pinned_checksum_is_rejected_and_sib200_refuses_a_single_checksum()
    {
        var (archive, _) = await MassiveArchive.BuildAsync(_temp.File("build"), "cy");
        await using var server = await LocalFileServer.ServeFilesAsync(new Dictionary<string, string> { [DatasetDownloader.MassiveArchiveName] = archive });
        var options = new DatasetDownloadOptions { OutputFolder = _temp.File("out"), Languages = ["cy"], BaseUrl = server.BaseUri, Sha256 = new string('f', 64) };

        await Assert.ThrowsAsync<ChecksumMismatchException>(() => Downloader.DownloadAsync(PublicDataset.Massive, options, null, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_temp.File("out", "massive"), "*.jsonl"));
        Assert.False(File.Exists(_temp.File("out", "massive", DatasetDownloader.MassiveArchiveName)));

        await Assert.ThrowsAsync<ArgumentException>(() => Downloader.DownloadAsync(PublicDataset.Sib200, options, null, CancellationToken.None));
    }

    public void Dispose()
    {
        _http.Dispose();
        _temp.Dispose();
    }
}
