using System.Text.Json;
using LowResGen.Data;
using LowResGen.Data.Import;

namespace LowResGen.Tests.Data;

/// <summary>
/// Writes small MASSIVE 1.1 locale files (JSON Lines) from the kinit-synthetic intent data in ../shared: gold training
/// rows become partition train, test rows partition test, plus a few rows of an intent outside massive10.
/// </summary>
internal static class MassiveFixture
{
    public const string OutsideIntent = "play_music";

    public sealed record Written(string Path, int Train, int Test, int Outside);

    public static async Task<Written> WriteLocaleFileAsync(string folder, string language, int perPart)
    {
        var locale = LanguageRegistry.Default.Resolve(language).MassiveLocale;
        var task = BuiltInTasks.Massive10;
        var train = (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", language, "train_human_parsed"), new ImportOptions { Task = task }, CancellationToken.None)).Examples.Take(perPart).ToList();
        var test = (await ExampleFiles.ReadAsync(SharedData.Kinit("intent", language, "test"), new ImportOptions { Task = task }, CancellationToken.None)).Examples.Take(perPart).ToList();
        var lines = new List<string>();
        var id = 0;
        foreach (var (examples, partition) in new[] { (train, "train"), (test, "test") })
        {
            foreach (var example in examples)
            {
                lines.Add(Line(++id, locale, partition, example.Label, example.Text));
            }
        }

        lines.Add(Line(++id, locale, "dev", OutsideIntent, "play something relaxing"));
        lines.Add(Line(++id, locale, "train", OutsideIntent, "play my running playlist"));
        var path = Path.Combine(folder, locale + ".jsonl");
        Directory.CreateDirectory(folder);
        await File.WriteAllLinesAsync(path, lines);
        return new Written(path, train.Count, test.Count, 2);
    }

    private static string Line(int id, string locale, string partition, string intent, string utt) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["locale"] = locale,
        ["partition"] = partition,
        ["scenario"] = intent.Split('_')[0],
        ["intent"] = intent,
        ["utt"] = utt,
        ["annot_utt"] = utt,
        ["worker_id"] = "1",
    });
}
