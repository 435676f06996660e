using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Data.Import;

public sealed class KnownLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Kinit_generated_file_with_unnamed_index_columns_and_multi_line_texts_reads_every_row()
    {
        var result = await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_full"),
            new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10, Split = Splits.Generated }, CancellationToken.None);

        // 1950 records (Python's csv module agrees), 7 of them with a line break inside the quoted text.
        Assert.Equal(1950, result.Examples.Count);
        Assert.Equal(7, result.Examples.Count(e => e.Text.Contains('\n')));
        Assert.DoesNotContain(result.Examples, e => e.Text.Contains('\r'));
        Assert.All(result.Examples, e => Assert.Equal(Splits.Generated, e.Split));
        Assert.Equal(10, result.Examples.Select(e => e.Label).Distinct().Count());
    }

    [Fact]
    public async Task Kinit_gold_files_use_their_id_column()
    {
        var train = await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_human_parsed"),
            new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 }, CancellationToken.None);
        var test = await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "test"),
            new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10, Split = Splits.Test }, CancellationToken.None);

        Assert.Equal(2027, train.Examples.Count);
        Assert.Equal(565, test.Examples.Count);
        Assert.Equal("8087", train.Examples[0].Id);
        Assert.Equal("calendar_remove", train.Examples[0].Label);
        Assert.Empty(train.Examples.Select(e => e.Id).Intersect(test.Examples.Select(e => e.Id)));
    }

    [Fact]
    public async Task Sib200_folder_gives_all_splits_of_every_reference_language_with_quoted_texts_unescaped()
    {
        foreach (var language in LanguageRegistry.ReferenceLanguages)
        {
            var result = await Sib200Files.ReadLanguageAsync(Path.Combine(SharedData.Datasets, "sib200"), language, null, CancellationToken.None);

            Assert.Equal(701, result.Examples.Count(e => e.Split == Splits.Train));
            Assert.Equal(99, result.Examples.Count(e => e.Split == Splits.Dev));
            Assert.Equal(204, result.Examples.Count(e => e.Split == Splits.Test));
            Assert.All(result.Examples, e => Assert.Equal(language, e.Language));
            Assert.Empty(result.Warnings);
        }

        var english = await Sib200Files.ReadLanguageAsync(Path.Combine(SharedData.Datasets, "sib200"), "eng_Latn", [Splits.Train], CancellationToken.None);
        var quoted = english.Examples.Single(e => e.Id == "1239");
        Assert.StartsWith("\"She’s very cute", quoted.Text, StringComparison.Ordinal);
        Assert.Equal("entertainment", quoted.Label);
        Assert.Equal("sib200:eng_Latn/train.tsv", quoted.Source);
    }

    [Fact]
    public async Task Sib200_unknown_language_folder_is_an_error_naming_where_it_looked()
    {
        var error = await Assert.ThrowsAsync<LowResGen.Common.DataFormatException>(() =>
            Sib200Files.ReadLanguageAsync(_temp.Path, "cy", null, CancellationToken.None));
        Assert.Contains("cym_Latn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Massive_locale_file_maps_partition_to_split_and_keeps_only_the_task_intents()
    {
        var written = await MassiveFixture.WriteLocaleFileAsync(_temp.File("massive"), "cy", perPart: 40);

        var all = await MassiveFiles.ReadLanguageAsync(_temp.File("massive"), "Welsh", BuiltInTasks.Massive10, null, CancellationToken.None);
        Assert.Equal(written.Train + written.Test, all.Examples.Count);
        Assert.Equal(written.Outside, all.Filtered);
        Assert.Equal(written.Train, all.Examples.Count(e => e.Split == Splits.Train));
        Assert.Equal(written.Test, all.Examples.Count(e => e.Split == Splits.Test));
        Assert.All(all.Examples, e => Assert.Equal("cy", e.Language));
        Assert.DoesNotContain(all.Examples, e => e.Label == MassiveFixture.OutsideIntent);
        Assert.Equal("massive-1.1:cy-GB.jsonl", all.Examples[0].Source);

        var testOnly = await MassiveFiles.ReadAsync(written.Path, BuiltInTasks.Massive10, new HashSet<string> { Splits.Test }, CancellationToken.None);
        Assert.Equal(written.Test, testOnly.Examples.Count);

        var everything = await MassiveFiles.ReadAsync(written.Path, null, null, CancellationToken.None);
        Assert.Equal(written.Train + written.Test + written.Outside, everything.Examples.Count);
        Assert.Contains(everything.Examples, e => e.Split == Splits.Dev);
    }

    public void Dispose() => _temp.Dispose();
}
