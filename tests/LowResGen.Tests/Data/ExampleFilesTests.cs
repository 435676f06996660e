using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Data;

public class ExampleFilesTests
{
    [Fact]
    public async Task Reads_kinit_and_sib_layouts_from_shared()
    {
        var kinit = await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "cy", "train_full"),
            new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 }, CancellationToken.None);
        Assert.True(kinit.Examples.Count > 1500);
        Assert.All(kinit.Examples, e => Assert.Equal("cy", e.Language));

        var sib = await ExampleFiles.ReadAsync(SharedData.Sib200("cym_Latn", "train"),
            new ImportOptions { Language = "cym_Latn", Task = BuiltInTasks.Sib200 }, CancellationToken.None);
        Assert.Equal(701, sib.Examples.Count);
        Assert.Contains(sib.Examples, e => e.Text.Contains("wedi'i", StringComparison.Ordinal));
    }
}
