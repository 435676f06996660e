using LowResGen.Common;
using LowResGen.Data.Import;
using LowResGen.Generation;

namespace LowResGen.Tests.Data;

/// <summary>Issue 14, cases 7 and 8: huge values, NUL bytes, directories, header-only files, outputs of bad runs, leftovers, readers.</summary>
public sealed class InputEdgeCaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lowresgen-badinput-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Case7_a_huge_single_line_is_quoted_in_the_error_cut_to_a_few_hundred_characters()
    {
        var path = Write("huge.csv", "text,intent\n\"" + new string('x', 3_000_000) + "\",alarm_query,extra,columns\n");
        var run = await CliProcess.RunAsync("datasets", "show", path);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(path, run.Stderr);
        Assert.True(run.Stderr.Length < 2_000, $"{run.Stderr.Length} characters on stderr");
    }

    [Fact]
    public void Case7_data_format_messages_cut_quoted_values_at_about_200_characters()
    {
        var error = new DataFormatException("f.csv", 3, "label", "unknown label '" + new string('y', 1_000_000) + "'");
        Assert.StartsWith("f.csv:3 (field 'label'): unknown label 'yyy", error.Message);
        Assert.InRange(error.Message.Length, 400, 500);
        Assert.EndsWith("more characters)", error.Message);
    }

    [Fact]
    public async Task Case8_a_nul_byte_is_an_error_naming_file_and_line()
    {
        var path = Write("nul.csv", "text,intent\nfine,alarm_query\nbro\0ken,alarm_query\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ExampleFiles.ReadAsync(path, CancellationToken.None));
        Assert.Equal((path, 3L), (error.File, error.Line));
        Assert.Contains("NUL byte", error.Message);
    }

    [Fact]
    public async Task Case8_a_directory_is_named_as_a_directory_and_a_header_only_file_names_the_file()
    {
        var directory = await Assert.ThrowsAsync<DataFormatException>(() => ExampleFiles.ReadAsync(_directory, CancellationToken.None));
        Assert.Contains("is a directory", directory.Message);
        Assert.DoesNotContain("not found", directory.Message);

        var path = Write("header.csv", "text,intent\n");
        var header = await Assert.ThrowsAsync<DataFormatException>(() => ExampleFiles.ReadAsync(path, CancellationToken.None));
        Assert.Equal(path, header.File);
        Assert.Contains("no data rows", header.Message);
    }

    [Fact]
    public async Task Case8_generate_with_bad_input_creates_no_output_folder()
    {
        var output = Path.Combine(_directory, "never");
        var run = await CliProcess.RunAsync("generate", "--task", "intent", "--language", "cy", "--strategy", "target-demos",
            "--model", "http://127.0.0.1:9/v1#x", "--train", Path.Combine(_directory, "missing-{lang}.csv"), "--output", output);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("missing-cy.csv", run.Stderr);
        Assert.False(Directory.Exists(output), "the output folder was created although the input was bad");
    }

    [Fact]
    public async Task Case8_hidden_temporary_files_left_by_a_killed_writer_are_removed_at_start()
    {
        var leftover = Path.Combine(_directory, $".cy-generated.csv.{Guid.NewGuid():N}.tmp");
        var unrelated = Path.Combine(_directory, ".keep.tmp");
        File.WriteAllText(leftover, "half");
        File.WriteAllText(unrelated, "mine");
        var manifest = new RunManifest("massive10", "cy", "target-demos", "m", 0, "generate/1", null, null);

        using (await RunStore.OpenAsync(_directory, manifest, CancellationToken.None))
        {
        }

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public async Task Readers_never_write_and_the_resuming_writer_repairs_the_torn_end()
    {
        var path = Write("log.jsonl", "{\"label\":\"a\"}\n{\"label\":\"b\"}\n{\"lab");
        var before = await File.ReadAllBytesAsync(path);

        var read = await JsonlLog.ReadAsync<Row>(path, CancellationToken.None);

        Assert.Equal(["a", "b"], read.Select(r => r.Label));
        Assert.Equal(before, await File.ReadAllBytesAsync(path));

        var resumed = await JsonlLog.ReadForAppendAsync<Row>(path, CancellationToken.None);
        Assert.Equal(2, resumed.Count);
        Assert.Equal("{\"label\":\"a\"}\n{\"label\":\"b\"}\n", await File.ReadAllTextAsync(path));
    }

    public sealed record Row(string Label);
}
