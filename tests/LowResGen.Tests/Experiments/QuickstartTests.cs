using LowResGen.Common.Downloads;
using LowResGen.Experiments;
using LowResGen.Llm.Models;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Experiments;

public sealed class QuickstartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lowresgen-quickstart-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_readme_quickstart_runs_end_to_end_on_the_tiny_gguf_and_shared_data_and_resumes()
    {
        var model = Path.Combine(_root, "tiny model.gguf");
        TinyGgufWriter.Write(model, new GgufModelSpec { ContextLength = 2048 });
        var output = Path.Combine(_root, "out");
        string[] args =
        [
            "quickstart", "--model", model, "--data-dir", SharedData.Datasets, "--language", "cy", "--per-class", "3", "--seeds", "2",
            "--max-attempts", "2", "--max-tokens", "48", "--no-language-check", "--output", output, "--allow-shortfall", "--no-encoder",
        ];

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), args);

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.DoesNotContain("encoder:", stdout); // --no-encoder: the n-gram rows only, and no word about a missing encoder
        Assert.Contains("intent in cy", stdout);
        Assert.Contains("gold", stdout);
        Assert.Contains("target-demos", stdout);
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
        await using (var store = await StudyStore.OpenAsync(Path.Combine(output, "study.db"), CancellationToken.None))
        {
            var cells = await store.ReadAllAsync(CancellationToken.None);
            Assert.True(cells.Count == 3, stdout + stderr);
            Assert.Equal([CellKind.Gold, CellKind.Generate, CellKind.Evaluate], cells.Select(c => c.Kind).Order());
            Assert.All(cells.Where(c => c.Kind != CellKind.Generate), c => Assert.Equal([0, 1], c.Scores.Select(s => s.Seed)));
            Assert.True(cells.Single(c => c.Kind == CellKind.Gold).Scores.All(s => s.Accuracy > 0.2), "gold data should train a real classifier");
            Assert.True(cells.Single(c => c.Kind == CellKind.Generate).LlmTokens > 0);
        }

        // A rerun finds everything done: the LLM is not called again and the table is the same.
        var rerun = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), args);
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains("0 examples accepted in this run", rerun.Stdout);
    }

    [Fact]
    public async Task With_an_encoder_it_reports_the_encoder_student_next_to_the_ngram_one()
    {
        // In process: the CLI run from the test folder lacks an assembly the shared ASP.NET framework gives the tests.
        using var minilm = new MiniLmFolder();
        var model = Path.Combine(_root, "tiny.gguf");
        TinyGgufWriter.Write(model, new GgufModelSpec { ContextLength = 2048 });
        using var http = new HttpClient();
        var study = await Quickstart.PrepareAsync(new QuickstartOptions
        {
            Model = model,
            DataDirectory = SharedData.Datasets,
            Language = "cy",
            PerClass = 3,
            Seeds = 2,
            MaxAttempts = 2,
            MaxOutputTokens = 48,
            LanguageCheck = false,
            OutputDirectory = Path.Combine(_root, "enc"),
            Encoder = minilm.Folder,
        }, http, null, CancellationToken.None);

        await using (var executor = StudyCellExecutor.Create(study))
        {
            var result = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
            Assert.True(result.Failures.Count == 0, string.Join("\n", result.Failures.Select(f => f.Error)));
        }

        var console = new StringWriter();
        var ansi = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(console),
            Ansi = Spectre.Console.AnsiSupport.No,
        });
        ansi.Profile.Width = 400;
        ansi.Write(LowResGen.Cli.Commands.QuickstartCommand.ResultTable(study, await LowResGen.Reporting.StudyReportBuilder.GatherAsync(study, CancellationToken.None)));
        var rows = console.ToString().Split('\n').Where(l => l.StartsWith("│ gold ", StringComparison.Ordinal) || l.StartsWith("│ target-demos ", StringComparison.Ordinal)).ToArray();

        Assert.Equal(["ngram", "encoder:" + minilm.Folder], study.Students);
        Assert.True(rows.Length == 4, console.ToString()); // gold and generated, for each student
        Assert.Equal(2, rows.Count(r => r.Contains(" ngram ", StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.Contains("encoder:" + minilm.Folder, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_the_default_encoder_in_the_cache_it_says_so_and_keeps_the_ngram_student()
    {
        var cacheDirectory = Path.Combine(_root, "empty-cache");
        var lines = new List<string>();
        using var http = new HttpClient();
        var options = new QuickstartOptions
        {
            Model = "x.gguf",
            DataDirectory = SharedData.Datasets,
            Language = "cy",
            OutputDirectory = Path.Combine(_root, "o"),
            ModelCacheDirectory = cacheDirectory,
        };
        var study = await Quickstart.PrepareAsync(options, http, new SynchronousProgressForTests(lines.Add), CancellationToken.None);
        var skipped = await Quickstart.PrepareAsync(options with { NoEncoder = true }, http, new SynchronousProgressForTests(lines.Add), CancellationToken.None);

        Assert.Equal(["ngram"], study.Students);
        Assert.Equal(["ngram"], skipped.Students);
        Assert.Single(lines, l => l.StartsWith("Encoder student skipped: " + DefaultModels.Encoder.CacheName + " is not in the model cache", StringComparison.Ordinal));
        Assert.False(Directory.Exists(cacheDirectory)); // nothing was downloaded (or even created) for the encoder
    }

    private sealed class SynchronousProgressForTests(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    [Fact]
    public async Task Without_local_data_or_model_it_downloads_sib200_and_the_default_model_from_mirrors()
    {
        await using var mirrors = await MirrorsAsync("tiny.gguf");
        using var http = new HttpClient();
        var (tinySha256, _) = await ResumableDownloader.Sha256OfFileAsync(mirrors.ModelFile, CancellationToken.None);

        var study = await Quickstart.PrepareAsync(mirrors.Options(Path.Combine(_root, "home with spaces")) with
        {
            // The real default pins the real model's hash; this mirror serves the tiny model under its name.
            DefaultModel = DefaultModels.Quickstart with { Pull = DefaultModels.Quickstart.Pull with { Sha256 = tinySha256 } },
        }, http, null, CancellationToken.None);

        Assert.Equal(["sib200"], study.Tasks);
        Assert.Equal(["sw"], study.Languages);
        var train = study.ResolvePath(study.Data.Train, "sib200", "sw");
        Assert.Equal(await File.ReadAllBytesAsync(SharedData.Sib200("swh_Latn", "train")), await File.ReadAllBytesAsync(train));
        Assert.True(File.Exists(study.ResolvePath(study.Data.Train, "sib200", "en")), "English data for English demonstrations");
        var modelPath = Assert.Single(study.Models).Model;
        Assert.StartsWith(Path.Combine(_root, "home with spaces", "models"), modelPath);
        Assert.Equal(await File.ReadAllBytesAsync(mirrors.ModelFile), await File.ReadAllBytesAsync(modelPath));
    }

    [Fact]
    public async Task A_default_model_that_does_not_match_the_pinned_checksum_is_refused()
    {
        await using var mirrors = await MirrorsAsync("impostor.gguf");
        using var http = new HttpClient();
        var options = mirrors.Options(_root);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => Quickstart.PrepareAsync(options, http, null, CancellationToken.None));

        Assert.Contains(DefaultModels.Quickstart.Pull.Sha256!, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(new ModelCache(options.ModelCacheDirectory).List());
    }

    /// <summary>SIB-200 from the shared data and a freshly written tiny GGUF, served where the default model lives.</summary>
    private async Task<Mirrors> MirrorsAsync(string modelFileName)
    {
        var model = Path.Combine(_root, modelFileName);
        TinyGgufWriter.Write(model);
        var known = DefaultModels.Quickstart.Pull;
        var datasets = await LocalFileServer.ServeFolderAsync(Path.Combine(SharedData.Datasets, "sib200"), "data");
        var models = await LocalFileServer.ServeFilesAsync(new Dictionary<string, string>
        {
            [$"{known.Repository}/resolve/{known.Revision}/{known.File}"] = model,
        });
        return new Mirrors(model, datasets, models, Path.Combine(_root, "out"));
    }

    private sealed record Mirrors(string ModelFile, LocalFileServer Datasets, LocalFileServer Models, string Output) : IAsyncDisposable
    {
        public QuickstartOptions Options(string home) => new()
        {
            Language = "sw",
            DatasetBaseUrl = Datasets.BaseUri,
            ModelBaseUrl = Models.BaseUri,
            ModelCacheDirectory = Path.Combine(home, "models"),
            DatasetCache = Path.Combine(home, "datasets"),
            OutputDirectory = Output,
        };

        public async ValueTask DisposeAsync()
        {
            await Datasets.DisposeAsync();
            await Models.DisposeAsync();
        }
    }

    [Fact]
    public async Task Unknown_data_folder_is_a_clear_error()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1),
            "quickstart", "--model", "x.gguf", "--data-dir", _root, "--language", "cy", "--output", Path.Combine(_root, "out"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("No data for Welsh", stderr);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }
}
