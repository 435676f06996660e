using LowResGen.Common;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Data;

public sealed class TaskFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("task-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    public const string Requests = """
        name = "requests"
        label_kind = "request"
        min_length = 5
        max_length = 120

        [[labels]]
        value = "A"
        name = "asking about alarms"
        description = "The user asks which alarms are set."

        [[labels]]
        value = "C"
        name = "asking for a recipe"

        [[labels]]
        value = 2
        name = "buying a ticket"
        """;

    [Fact]
    public void A_task_file_gives_values_display_names_descriptions_and_lengths()
    {
        var task = TaskFile.Parse(Requests, "requests.toml");
        Assert.Equal(["A", "C", "2"], task.Labels);
        Assert.Equal(("requests", "request"), (task.Name, task.LabelKind));
        Assert.Equal("buying a ticket", task.DisplayNameOf("2"));
        Assert.Equal("2", task.LabelOf("Buying a ticket"));
        Assert.Equal("The user asks which alarms are set.", task.DescriptionOf("A"));
        Assert.Null(task.DescriptionOf("C"));
        Assert.Equal(new LengthRange(5, 120), task.GeneratedLength);
        Assert.Equal(["asking about alarms", "asking for a recipe", "buying a ticket"], task.ForPrompts().Labels);
    }

    [Theory]
    [InlineData("[[labels]]\nvalue = \"A\"\nnmae = \"typo\"\n", 3, "labels.nmae")]
    [InlineData("[[labels]]\nvalue = \"C\"\n", 2, "labels.value")]
    [InlineData("[[labels]]\nname = \"no value\"\n", 1, "value")]
    public void A_bad_label_names_file_line_and_key(string appended, int lineInAppended, string key)
    {
        var error = Assert.Throws<DataFormatException>(() => TaskFile.Parse(Requests + "\n\n" + appended, "bad.toml"));
        Assert.Equal(("bad.toml", (long?)(Requests.Split('\n').Length + 1 + lineInAppended), key), (error.File, error.Line, error.Field));
    }

    [Fact]
    public void A_bad_top_level_key_names_file_line_and_key()
    {
        var unknown = Assert.Throws<DataFormatException>(() => TaskFile.Parse("colour = \"red\"\n" + Requests, "bad.toml"));
        Assert.Equal(("bad.toml", (long?)1, "colour"), (unknown.File, unknown.Line, unknown.Field));
        var length = Assert.Throws<DataFormatException>(() => TaskFile.Parse(Requests.Replace("max_length = 120", "max_length = 0"), "bad.toml"));
        Assert.Equal(((long?)4, "max_length"), (length.Line, length.Field));
    }

    [Fact]
    public void Invalid_toml_is_one_error_with_its_line()
    {
        var error = Assert.Throws<DataFormatException>(() => TaskFile.Parse("name = \"x\"\nlabels = [\n", "broken.toml"));
        Assert.Equal("broken.toml", error.File);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public async Task Init_writes_a_task_file_that_reads_back_with_counts_and_first_seen_or_sorted_order()
    {
        var data = Path.Combine(_directory, "data.csv");
        await File.WriteAllTextAsync(data, "text,label\nwake me at six,zeta\nhow do I bake bread,alpha\nset an alarm,zeta\nticket to Cardiff,mid\n");
        var examples = (await ExampleFiles.ReadAsync(data, new ImportOptions(), CancellationToken.None)).Examples;

        var firstSeen = TaskFile.FromExamples(examples, "mine", data, sorted: false);
        Assert.Contains("[[labels]]  # 2 examples in data.csv", firstSeen);
        Assert.Equal(["zeta", "alpha", "mid"], TaskFile.Parse(firstSeen, "mine.toml").Labels);
        Assert.Equal(["alpha", "mid", "zeta"], TaskFile.Parse(TaskFile.FromExamples(examples, "mine", data, sorted: true), "mine.toml").Labels);
    }

    [Fact]
    public async Task A_data_file_with_a_label_outside_the_task_names_file_line_and_label()
    {
        var taskFile = Path.Combine(_directory, "requests.toml");
        await File.WriteAllTextAsync(taskFile, Requests);
        var data = Path.Combine(_directory, "data.csv");
        await File.WriteAllTextAsync(data, "text,intent\nwake me at six,A\nbake bread,buying a ticket\nwhat is this,X\n");
        var task = TaskResolver.Resolve(taskFile).Definition;

        var error = await Assert.ThrowsAsync<DataFormatException>(() =>
            ExampleFiles.ReadAsync(data, new ImportOptions { Task = task }, CancellationToken.None));
        Assert.Equal((data, 4L, "intent"), (error.File, error.Line, error.Field));
        Assert.Contains("unknown label 'X'", error.Message);

        // A display name in the data is read as its value.
        await File.WriteAllTextAsync(data, "text,intent\nwake me at six,A\nbake bread,buying a ticket\n");
        var read = await ExampleFiles.ReadAsync(data, new ImportOptions { Task = task }, CancellationToken.None);
        Assert.Equal(["A", "2"], read.Examples.Select(e => e.Label));
    }

    [Fact]
    public void Built_in_sarcasm_reads_the_reference_layout_with_0_and_1()
    {
        var sarcasm = TaskResolver.Resolve("sarcasm").Definition;
        Assert.Equal(["0", "1"], sarcasm.Labels);
        Assert.Equal(["not sarcastic", "sarcastic"], sarcasm.ForPrompts().Labels);
        Assert.All(sarcasm.Labels, l => Assert.False(string.IsNullOrWhiteSpace(sarcasm.DescriptionOf(l))));
    }

    [Fact]
    public void An_unknown_task_lists_the_built_in_ones_and_a_missing_task_file_names_it()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskResolver.Resolve("sarcasmm"));
        Assert.Contains("sarcasm", error.Message);
        Assert.Contains("task file", error.Message);
        var missing = Assert.Throws<DataFormatException>(() => TaskResolver.Resolve("nowhere/task.toml", _directory));
        Assert.Contains("task file not found", missing.Message);
    }
}
