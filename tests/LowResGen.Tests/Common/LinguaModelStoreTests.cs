using System.Security.Cryptography;
using LowResGen.Common;
using LowResGen.Tests.Data;
using LowResGen.TestSupport;

namespace LowResGen.Tests.Common;

/// <summary>
/// The tool packages ship without Lingua's models; <see cref="LinguaModelStore"/> fetches them from the Lingua NuGet
/// package on first use. Served here from the NuGet cache this build restored from, on 127.0.0.1.
/// </summary>
public sealed class LinguaModelStoreTests
{
    private static string RestoredPackage()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = Path.Combine(root, "searchpioneer.lingua", LinguaModelStore.Version, $"searchpioneer.lingua.{LinguaModelStore.Version}.nupkg");
        Assert.True(File.Exists(package), $"the restored Lingua package is not at {package}");
        return package;
    }

    private static string BuildModels => Path.Combine(AppContext.BaseDirectory, "Lingua", "LanguageModels");

    [Fact]
    public void The_pinned_version_and_hash_are_those_of_the_Lingua_package_the_build_uses()
    {
        var loaded = typeof(Lingua.LanguageDetector).Assembly.GetName().Version!;
        Assert.Equal(LinguaModelStore.Version, $"{loaded.Major}.{loaded.Minor}.{loaded.Build}");
        using var stream = File.OpenRead(RestoredPackage());
        Assert.Equal(LinguaModelStore.PackageSha256, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    [Fact]
    public async Task A_build_uses_the_models_beside_it_and_fetches_nothing()
    {
        using var cache = new TempDirectory();
        var store = new LinguaModelStore(cache.Path, new Uri("http://127.0.0.1:9/"));

        Assert.True(store.BesideApplication);
        Assert.Null(await store.LocateAsync(null, null, CancellationToken.None));
        Assert.False(Directory.Exists(store.CacheDirectory));
    }

    [Fact]
    public async Task Without_models_beside_it_fetches_the_package_once_and_unpacks_exactly_Lingua_s_models()
    {
        using var cache = new TempDirectory();
        using var application = new TempDirectory();
        var path = $"searchpioneer.lingua/{LinguaModelStore.Version}/searchpioneer.lingua.{LinguaModelStore.Version}.nupkg";
        await using var server = await LocalFileServer.ServeFilesAsync(new Dictionary<string, string> { [path] = RestoredPackage() });
        var store = new LinguaModelStore(cache.Path, server.BaseUri, application.Path);
        var messages = new List<string>();

        var models = await store.LocateAsync(null, new SynchronousProgress(messages), CancellationToken.None);

        Assert.NotNull(models);
        Assert.Equal(1, server.RequestCount(path));
        Assert.Contains(messages, m => m.Contains("not installed with the tool", StringComparison.Ordinal));
        var expected = Directory.EnumerateFiles(BuildModels, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(BuildModels, f)).Order(StringComparer.Ordinal).ToArray();
        var fetched = Directory.EnumerateFiles(models, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(models, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, fetched);
        Assert.True(expected.Length > 300, $"only {expected.Length} model files in the build");
        foreach (var file in new[] { Path.Combine("cy", "fivegrams.json.br"), Path.Combine("en", "trigrams.json.br") })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(BuildModels, file)), await File.ReadAllBytesAsync(Path.Combine(models, file)));
        }

        Assert.False(File.Exists(store.PackagePath)); // the package is dropped once unpacked
        Assert.Empty(Directory.EnumerateDirectories(store.CacheDirectory, ".LanguageModels-*"));
        var identifier = LinguaLanguageIdentifier.ForTarget("cy", models);
        Assert.Equal("cy", identifier.Identify("Mae'r tywydd yn braf iawn heddiw ac rydyn ni'n mynd i'r traeth.").Code);

        Assert.Equal(models, await store.LocateAsync(null, null, CancellationToken.None));
        Assert.Equal(1, server.RequestCount(path));
    }

    [Fact]
    public async Task Offline_it_names_the_ways_out_and_leaves_nothing_behind()
    {
        using var cache = new TempDirectory();
        using var application = new TempDirectory();
        var store = new LinguaModelStore(cache.Path, new Uri($"http://127.0.0.1:{LoopbackServer.ClosedPort()}/"), application.Path);

        var error = await Assert.ThrowsAsync<LinguaModelsUnavailableException>(() => store.LocateAsync(null, null, CancellationToken.None));

        Assert.Contains("--no-language-check", error.Message, StringComparison.Ordinal);
        Assert.Contains(LinguaModelStore.BaseUrlVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains(store.CacheDirectory, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(store.CacheDirectory, "LanguageModels")));
        Assert.Empty(Directory.EnumerateFiles(store.CacheDirectory, "*.nupkg*"));
    }

    [Fact]
    public async Task A_package_with_another_hash_is_refused_and_nothing_is_unpacked()
    {
        using var cache = new TempDirectory();
        using var application = new TempDirectory();
        var fake = cache.Write("fake.nupkg", "not the Lingua package");
        var path = $"searchpioneer.lingua/{LinguaModelStore.Version}/searchpioneer.lingua.{LinguaModelStore.Version}.nupkg";
        await using var server = await LocalFileServer.ServeFilesAsync(new Dictionary<string, string> { [path] = fake });
        var store = new LinguaModelStore(cache.Path, server.BaseUri, application.Path);

        await Assert.ThrowsAsync<LowResGen.Common.Downloads.ChecksumMismatchException>(() => store.LocateAsync(null, null, CancellationToken.None));

        Assert.False(Directory.Exists(Path.Combine(store.CacheDirectory, "LanguageModels")));
        Assert.False(File.Exists(store.PackagePath));
    }

    [Fact]
    public async Task A_language_Lingua_does_not_know_needs_no_models()
    {
        using var cache = new TempDirectory();
        using var application = new TempDirectory();
        var store = new LinguaModelStore(cache.Path, new Uri("http://127.0.0.1:9/"), application.Path);

        Assert.Null(await store.DirectoryForAsync(["quy"], null, null, CancellationToken.None));
        Assert.False(Directory.Exists(store.CacheDirectory));
    }

    private sealed class SynchronousProgress(List<string> messages) : IProgress<string>
    {
        public void Report(string value) => messages.Add(value);
    }
}
