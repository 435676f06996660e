using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;
using Parquet.Serialization;

namespace LowResGen.Tests.Data.Import;

public sealed class GenericFormatTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Csv_with_user_named_columns()
    {
        var path = _temp.Write("reviews.csv", "uid,review body,stars_label\nr1,Great phone,positive\nr2,\"Broke after a day, sadly\",negative\n");

        var result = await ExampleFiles.ReadAsync(path, new ImportOptions
        {
            TextColumn = "review body",
            LabelColumn = "stars_label",
            IdColumn = "uid",
            Language = "English",
            Task = BuiltInTasks.Sentiment,
        }, CancellationToken.None);

        Assert.Equal(
            [new Example("r1", "Great phone", "positive", "en", Splits.Train, "reviews.csv"),
             new Example("r2", "Broke after a day, sadly", "negative", "en", Splits.Train, "reviews.csv")],
            result.Examples);
    }

    [Fact]
    public async Task Format_override_reads_a_tab_separated_txt_file_and_content_sniffing_finds_it_too()
    {
        var path = _temp.Write("data.txt", "label\ttext\npositive\tso good, really\nnegative\tnot good\n");

        var forced = await ExampleFiles.ReadAsync(path, new ImportOptions { Format = ExampleFileFormat.Tsv }, CancellationToken.None);
        var sniffed = await ExampleFiles.ReadAsync(path, new ImportOptions(), CancellationToken.None);

        Assert.Equal(["so good, really", "not good"], forced.Examples.Select(e => e.Text));
        Assert.Equal(forced.Examples, sniffed.Examples);
        Assert.Equal(ExampleFileFormat.Tsv, await ExampleFiles.DetectFormatAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task Jsonl_with_numbers_split_and_language_fields()
    {
        var path = _temp.Write("mixed.jsonl",
            "{\"id\": 17, \"text\": \"Bore da\", \"label\": \"greeting\", \"split\": \"validation\", \"language\": \"cym\"}\n\n" +
            "{\"id\": 18, \"text\": \"Hwyl\", \"label\": \"farewell\", \"split\": \"test\", \"language\": \"xx-YY\"}\n");

        var result = await ExampleFiles.ReadAsync(path, new ImportOptions(), CancellationToken.None);

        Assert.Equal(
            [new Example("17", "Bore da", "greeting", "cy", Splits.Dev, "mixed.jsonl"),
             new Example("18", "Hwyl", "farewell", "xx", Splits.Test, "mixed.jsonl")],
            result.Examples);
    }

    [Fact]
    public async Task Parquet_with_an_integer_label_column()
    {
        var path = _temp.File("topics.parquet");
        await ParquetSerializer.SerializeAsync(
            new[] { new ParquetRow("Goal in the last minute", 3, "a"), new ParquetRow("New vaccine approved", 4, "b") },
            path, null, null, CancellationToken.None);

        var result = await ExampleFiles.ReadAsync(path, new ImportOptions { LabelColumn = "TopicId", IdColumn = "Key" }, CancellationToken.None);

        Assert.Equal([("a", "Goal in the last minute", "3"), ("b", "New vaccine approved", "4")],
            result.Examples.Select(e => (e.Id, e.Text, e.Label)));
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ExampleFiles.ReadAsync(path,
            new ImportOptions { LabelColumn = "TopicId", Task = new TaskDefinition("t", ["3"]) }, CancellationToken.None));
        Assert.Equal(2, error.Line);
        Assert.Equal("TopicId", error.Field);
    }

    [Fact]
    public async Task Parquet_missing_column_names_the_column_and_a_non_parquet_file_is_a_format_error()
    {
        var path = _temp.File("topics.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new ParquetRow("x", 1, "a") }, path, null, null, CancellationToken.None);
        var missing = await Assert.ThrowsAsync<DataFormatException>(() =>
            ExampleFiles.ReadAsync(path, new ImportOptions { LabelColumn = "category" }, CancellationToken.None));
        Assert.Equal("category", missing.Field);

        var fake = _temp.Write("fake.parquet", "text,label\nhello,world\n");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => ExampleFiles.ReadAsync(fake, new ImportOptions(), CancellationToken.None));
        Assert.Equal(fake, error.File);
    }

    [Fact]
    public async Task Written_csv_reads_back_identically_with_extra_columns()
    {
        Example[] examples =
        [
            new("a-1", "Set an alarm, please, for \"six\"", "alarm_query", "cy", Splits.Test, "gen"),
            new("a-2", "first line\nsecond line", "weather_query", "cy", Splits.Test, "gen"),
            new("a-3", "Ydy hi'n bwrw glaw?\ttab inside", "weather_query", "cy", Splits.Test, "gen"),
        ];
        var path = _temp.File("out dir", "generated file.csv");

        await ExampleFiles.WriteCsvAsync(path, examples, new CsvWriteOptions
        {
            ExtraColumns = [ExampleColumn.Id, ExampleColumn.LabelIndex, ExampleColumn.Language, ExampleColumn.Split],
            Task = BuiltInTasks.Massive10,
        }, CancellationToken.None);
        var back = await ExampleFiles.ReadAsync(path, new ImportOptions { Task = BuiltInTasks.Massive10, Source = "gen" }, CancellationToken.None);

        Assert.Equal(examples, back.Examples);
        Assert.StartsWith("text,intent,id,label,language,split\n", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Contains(",a-1,0,cy,test\n", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reference_layout_is_text_then_intent_and_a_failed_write_leaves_nothing()
    {
        var path = _temp.File("plain.csv");
        await ExampleFiles.WriteCsvAsync(path, [new Example("1", "hello", "general_greet", "en", Splits.Train, "x")], null, CancellationToken.None);
        Assert.Equal("text,intent\nhello,general_greet\n", await File.ReadAllTextAsync(path));

        var broken = _temp.File("broken.csv");
        await Assert.ThrowsAsync<ArgumentException>(() => ExampleFiles.WriteCsvAsync(broken,
            [new Example("1", "hello", "not_an_intent", "en", Splits.Train, "x")],
            new CsvWriteOptions { ExtraColumns = [ExampleColumn.LabelIndex], Task = BuiltInTasks.Massive10 }, CancellationToken.None));
        Assert.Equal(["plain.csv"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }

    public void Dispose() => _temp.Dispose();

    private sealed record ParquetRow(string Text, int TopicId, string Key);
}
