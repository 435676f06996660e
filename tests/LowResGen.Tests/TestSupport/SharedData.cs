namespace LowResGen.Tests;

/// <summary>Paths into ../shared/datasets, found by walking up from the test binaries to the checkout root.</summary>
internal static class SharedData
{
    public static string Root { get; } = FindRoot();

    public static string Datasets => Path.Combine(Root, "datasets");

    /// <summary>kinit-synthetic file: part is test, train_human_parsed (gold) or train_full (generated).</summary>
    public static string Kinit(string task, string language, string part) =>
        Path.Combine(Datasets, "kinit-synthetic", task, $"{language}-{part}.csv");

    public static string Sib200(string flores, string split) =>
        Path.Combine(Datasets, "sib200", flores, $"{split}.tsv");

    public static string LlmAnswers(string model, string flores) =>
        Path.Combine(Datasets, "sib200-llm-answers", model, $"{flores}.tsv");

    /// <summary>The checkout root (the folder with LowResGen.slnx) above the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LowResGen.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the checkout root (LowResGen.slnx) above " + AppContext.BaseDirectory);
    }

    private static string FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("LOWRESGEN_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LowResGen.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            }
        }

        throw new InvalidOperationException("Cannot find the checkout root (LowResGen.slnx) above " + AppContext.BaseDirectory);
    }
}
