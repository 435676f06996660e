using LowResGen.Data.Download;

namespace LowResGen.Tests.Data.Download;

public sealed class DatasetsCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Download_sib200_from_a_base_url_writes_the_files_and_the_manifest()
    {
        await using var server = await LocalFileServer.ServeFolderAsync(Path.Combine(SharedData.Datasets, "sib200"), "data");

        var run = await CliProcess.RunAsync("datasets", "download", "sib200", "--languages", "cy,sw", "--base-url", server.BaseUri.AbsoluteUri, "--output", _temp.File("my data"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("downloaded cym_Latn/train.tsv", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("downloaded swh_Latn/test.tsv", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            await File.ReadAllBytesAsync(SharedData.Sib200("swh_Latn", "dev")),
            await File.ReadAllBytesAsync(_temp.File("my data", "sib200", "swh_Latn", "dev.tsv")));
        Assert.True(File.Exists(_temp.File("my data", "sib200", DatasetManifest.FileName)));
        Assert.Equal(6, server.RequestCount());
    }

    [Fact]
    public async Task Download_massive_with_a_wrong_sha256_fails_with_exit_code_1_and_leaves_no_data()
    {
        var (archive, _) = await MassiveArchive.BuildAsync(_temp.File("build"), "cy");
        await using var server = await LocalFileServer.ServeFilesAsync(new Dictionary<string, string> { [DatasetDownloader.MassiveArchiveName] = archive });

        var run = await CliProcess.RunAsync("datasets", "download", "massive", "-l", "cy", "--base-url", server.BaseUri.AbsoluteUri,
            "--output", _temp.File("out"), "--sha256", new string('a', 64));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("SHA-256 mismatch", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.File("out", "massive"), "*.jsonl"));
    }

    [Fact]
    public async Task Show_prints_counts_and_warnings_and_bad_input_exits_1_naming_file_and_line()
    {
        var good = _temp.Write("good.csv", "text,intent\nhello,general_greet\n ,general_greet\nhi there,general_greet\nbye,general_quirky\n");
        var show = await CliProcess.RunAsync("datasets", "show", good);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("3 examples, 1 warnings", show.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"general_greet\s*│\s*2", show.Stdout);
        Assert.Contains("good.csv:3 (text): empty text", show.Stdout, StringComparison.Ordinal);

        var bad = _temp.Write("bad.csv", "text,intent\nhello,general_greet\nno label\n");
        var error = await CliProcess.RunAsync("datasets", "show", bad);
        Assert.Equal(1, error.ExitCode);
        Assert.Contains("bad.csv:3", error.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
