using System.Text;
using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Data.Import;

/// <summary>Every kind of bad input gets an error naming file, line and field, or (empty text) a counted warning.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static Task<ImportResult> Read(string path, TaskDefinition? task = null) =>
        ExampleFiles.ReadAsync(path, new ImportOptions { Task = task }, CancellationToken.None);

    private static async Task<DataFormatException> Fails(string path, TaskDefinition? task = null) =>
        await Assert.ThrowsAsync<DataFormatException>(() => Read(path, task));

    [Fact]
    public async Task Missing_label_column()
    {
        var path = _temp.Write("a.csv", "text,score\nhello,1\n");
        var error = await Fails(path);
        Assert.Equal((path, 1L, "label"), (error.File, error.Line, error.Field));
        Assert.Contains("score", error.Message, StringComparison.Ordinal);

        var named = await Assert.ThrowsAsync<DataFormatException>(() =>
            ExampleFiles.ReadAsync(path, new ImportOptions { LabelColumn = "stars" }, CancellationToken.None));
        Assert.Equal("stars", named.Field);
    }

    [Fact]
    public async Task Unknown_label_when_a_task_is_given()
    {
        var path = _temp.Write("a.csv", "text,intent\nwake me at 6,alarm_set\n");
        Assert.Single((await Read(path)).Examples);

        var error = await Fails(path, BuiltInTasks.Massive10);
        Assert.Equal((2L, "intent"), (error.Line, error.Field));
        Assert.Contains("'alarm_set'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_and_whitespace_texts_are_skipped_with_counted_warnings()
    {
        var path = _temp.Write("a.csv", "text,intent\nok,x\n,x\n\"  \n \",x\nfine,y\n");
        var result = await Read(path);
        Assert.Equal(["ok", "fine"], result.Examples.Select(e => e.Text));
        Assert.Equal([3L, 4L], result.Warnings.Select(w => w.Line));
        Assert.All(result.Warnings, w => Assert.Equal("text", w.Field));
    }

    [Fact]
    public async Task Empty_label_is_an_error()
    {
        var error = await Fails(_temp.Write("a.csv", "text,intent\nok,x\nno label, \n"));
        Assert.Equal((3L, "intent"), (error.Line, error.Field));
    }

    [Fact]
    public async Task Invalid_utf8_names_line_and_field()
    {
        var path = _temp.File("a.csv");
        byte[] bad = [.. "text,intent\nfine,x\n\"two\nlines\",x\nbad "u8, 0xC3, 0x28, .. " text,y\n"u8];
        await File.WriteAllBytesAsync(path, bad);

        var error = await Fails(path);
        Assert.Equal((path, 5L, "text"), (error.File, error.Line, error.Field));
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);

        var jsonl = _temp.File("a.jsonl");
        await File.WriteAllBytesAsync(jsonl, [.. "{\"text\":\"ok\",\"label\":\"x\"}\n{\"text\":\"ok\",\"label\":\"b"u8, 0xFF, .. "\"}\n"u8]);
        var jsonError = await Fails(jsonl);
        Assert.Equal((2L, "label"), (jsonError.Line, jsonError.Field));
    }

    [Fact]
    public async Task Bom_and_crlf_are_accepted()
    {
        var path = _temp.File("a.csv");
        await File.WriteAllBytesAsync(path, [.. Encoding.UTF8.Preamble, .. "text,intent\r\nhello,x\r\n\"multi\r\nline\",y\r\n"u8]);

        var result = await Read(path);

        Assert.Equal(["hello", "multi\nline"], result.Examples.Select(e => e.Text));
        Assert.Equal(["x", "y"], result.Examples.Select(e => e.Label));

        var jsonl = _temp.File("a.jsonl");
        await File.WriteAllBytesAsync(jsonl, [.. Encoding.UTF8.Preamble, .. "{\"text\":\"hi\",\"label\":\"x\"}\r\n"u8]);
        Assert.Equal("hi", (await Read(jsonl)).Examples.Single().Text);
    }

    [Fact]
    public async Task Ragged_row_names_its_line_even_after_multi_line_texts()
    {
        var error = await Fails(_temp.Write("a.tsv", "text\tintent\tid\n\"one\ntwo\"\tx\t1\nshort row\tx\n"));
        Assert.Equal((4L, "id"), (error.Line, error.Field));
        Assert.Contains("ragged row: 2 fields where the header has 3", error.Message, StringComparison.Ordinal);

        var extra = await Fails(_temp.Write("b.csv", "text,intent\na,x\nb,x,extra\n"));
        Assert.Equal(3L, extra.Line);
    }

    [Fact]
    public async Task Quote_inside_an_unquoted_field_is_literal_text_not_the_start_of_a_quoted_field()
    {
        var result = await Read(_temp.Write("a.tsv", "text\tintent\nsay \"hi\tx\nok\ty\nthe 5\" screen\tz\n"));
        Assert.Equal(["say \"hi", "ok", "the 5\" screen"], result.Examples.Select(e => e.Text));
    }

    [Fact]
    public async Task Unterminated_quote_names_the_line_where_it_opened()
    {
        var error = await Fails(_temp.Write("a.csv", "text,intent\nok,x\n\"never closed,x\nmore,y\n"));
        Assert.Equal((3L, "#1"), (error.Line, error.Field));
        Assert.Contains("unterminated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_lone_cr_ends_a_line()
    {
        var result = await Read(_temp.Write("a.csv", "text,intent\r\rone,x\r\n\ntwo,y\rthree,\"\"\"z\"\"\"\n"));
        Assert.Equal([("one", "x"), ("two", "y"), ("three", "\"z\"")], result.Examples.Select(e => (e.Text, e.Label)));
        Assert.Equal([3L, 5L, 6L], result.Examples.Select(e => long.Parse(e.Id.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Duplicate_id_names_both_lines()
    {
        var error = await Fails(_temp.Write("a.csv", "id,text,intent\n1,a,x\n2,b,x\n1,c,x\n"));
        Assert.Equal((4L, "id"), (error.Line, error.Field));
        Assert.Contains("duplicate id '1' (first used on line 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsonl_invalid_json_non_object_and_missing_field()
    {
        var invalid = await Fails(_temp.Write("a.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\": oops}\n"));
        Assert.Equal(2L, invalid.Line);

        var array = await Fails(_temp.Write("b.jsonl", "[1,2]\n"));
        Assert.Equal(1L, array.Line);

        var missing = await Fails(_temp.Write("c.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"}\n"));
        Assert.Equal((2L, "label"), (missing.Line, missing.Field));

        var twice = await Fails(_temp.Write("d.jsonl", "{\"text\":\"a\",\"label\":\"x\",\"text\":\"b\"}\n"));
        Assert.Equal((1L, "text"), (twice.Line, twice.Field));
    }

    [Fact]
    public async Task Empty_and_missing_files()
    {
        var empty = await Fails(_temp.Write("a.csv", ""));
        Assert.Equal(1L, empty.Line);

        var missing = _temp.File("nope.csv");
        var error = await Fails(missing);
        Assert.Equal(missing, error.File);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
