using LowResGen.Data;

namespace LowResGen.Tests.Evaluation;

/// <summary>Small hand-made data sets: three topics with disjoint vocabularies, so a clean training set is learnable exactly.</summary>
internal static class EvaluationData
{
    public static readonly string[] Labels = ["food", "music", "weather"];

    private static readonly Dictionary<string, string[]> Vocabulary = new()
    {
        ["food"] = ["recipe", "cook", "bake", "dinner", "pasta"],
        ["music"] = ["song", "play", "album", "artist", "volume"],
        ["weather"] = ["rain", "sun", "cloud", "wind", "forecast"],
    };

    public static IReadOnlyList<Example> Make(string split, int perClass, int offset = 0, double noise = 0) =>
    [
        .. Labels.SelectMany((label, l) => Enumerable.Range(offset, perClass).Select(i =>
        {
            var words = Vocabulary[label];
            var text = $"Please, {words[i % 5]} {words[(i + 2) % 5]} today!";
            // Every k-th example of a noisy set carries the next label: a crude stand-in for flawed generated data.
            var noisy = noise > 0 && i % (int)Math.Round(1 / noise) == 0;
            return new Example($"{split}-{label}-{i}", text, noisy ? Labels[(l + 1) % Labels.Length] : label, "en", split, split);
        })),
    ];

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "lowresgen-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static bool IsPng(string path)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        var bytes = File.ReadAllBytes(path);
        return bytes.Length > 1000 && bytes.AsSpan(0, 8).SequenceEqual(signature);
    }
}
