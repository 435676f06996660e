using System.Text;

namespace LowResGen.Evaluation;

/// <summary>Where an evaluation run writes its files inside the output directory.</summary>
public sealed class EvaluationOutputs(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string Results => Path.Combine(Directory, ResultsFile.FileName);

    /// <summary>All predictions of the run's settings and seeds in one CSV, in (setting, seed) order.</summary>
    public string Predictions => Path.Combine(Directory, "predictions.csv");

    public string Summary => Path.Combine(Directory, "summary.json");

    /// <summary>The configuration the results were produced with; a rerun must match it to resume.</summary>
    public string Manifest => Path.Combine(Directory, "run.json");

    public string SeedPredictions(string setting, int seed) =>
        Path.Combine(Directory, "predictions", $"{SafeName(setting)}-seed{seed}.csv");

    /// <summary>A confusion-matrix PNG path that does not exist yet: an existing plot is never overwritten.</summary>
    public string NewConfusionPlot(string setting, int seed)
    {
        var stem = Path.Combine(Directory, "confusion", $"{SafeName(setting)}-seed{seed}");
        var path = stem + ".png";
        for (var copy = 2; File.Exists(path); copy++)
        {
            path = $"{stem}-{copy}.png";
        }

        return path;
    }

    /// <summary>A setting name as a portable file name: letters, digits, '-', '_' and '.'; anything else becomes '_'.</summary>
    public static string SafeName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return builder.Length == 0 ? "_" : builder.ToString();
    }
}
