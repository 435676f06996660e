using System.IO.Compression;
using LowResGen.Common.Downloads;
using LowResGen.Llm.Models;

namespace LowResGen.Common;

/// <summary>
/// Where Lingua finds its language models (72 MB for 79 languages). A build of LowResGen, and an application that
/// references the library, has them beside the application (SearchPioneer.Lingua's content files). The tool packages
/// leave them out (they were 73 of the linux-x64 package's 111 MB), so the first language check of an installed tool
/// takes them from the Lingua NuGet package itself, SHA-256 pinned, into the model cache, once per machine. The same
/// models, so the same acceptance decisions, whichever way they came.
/// </summary>
public sealed class LinguaModelStore
{
    /// <summary>The SearchPioneer.Lingua version the library is built against (a test checks it is the loaded one).</summary>
    public const string Version = "2.0.0";

    /// <summary>SHA-256 of <c>searchpioneer.lingua.2.0.0.nupkg</c> as nuget.org serves it (NuGet's own SHA-512 agrees).</summary>
    public const string PackageSha256 = "8fe97587b9d360711a9ece990e162bbf157844e1ed28fcbba0eef8e9b74910ce";

    /// <summary>A NuGet v3 flat-container base URL to fetch from instead of nuget.org (a mirror, or a local folder served).</summary>
    public const string BaseUrlVariable = "LOWRESGEN_NUGET_URL";

    private const string ModelsInPackage = "contentFiles/any/any/Lingua/LanguageModels/";
    private static readonly Uri NuGetOrg = new("https://api.nuget.org/v3-flatcontainer/");

    private readonly string _applicationDirectory;
    private readonly Uri _baseUrl;

    /// <param name="cacheRoot">The model cache; null = <see cref="ModelCache.DefaultDirectory"/>.</param>
    /// <param name="baseUrl">NuGet flat-container base; null = <see cref="BaseUrlVariable"/>, else nuget.org.</param>
    /// <param name="applicationDirectory">Where a build keeps the models; null = the running application's folder.</param>
    public LinguaModelStore(string? cacheRoot = null, Uri? baseUrl = null, string? applicationDirectory = null)
    {
        CacheDirectory = Path.Combine(Path.GetFullPath(cacheRoot ?? ModelCache.DefaultDirectory(Environment.GetEnvironmentVariable)),
            "SearchPioneer.Lingua", Version);
        _baseUrl = baseUrl
            ?? (Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } fromEnvironment ? new Uri(fromEnvironment) : NuGetOrg);
        if (!_baseUrl.AbsoluteUri.EndsWith('/'))
        {
            _baseUrl = new Uri(_baseUrl.AbsoluteUri + "/");
        }

        _applicationDirectory = applicationDirectory ?? AppContext.BaseDirectory;
    }

    /// <summary>The cache folder: <c>LanguageModels/</c> once fetched, and the package while it is being fetched.</summary>
    public string CacheDirectory { get; }

    public string PackagePath => Path.Combine(CacheDirectory, $"searchpioneer.lingua.{Version}.nupkg");

    public Uri PackageUrl => new(_baseUrl, $"searchpioneer.lingua/{Version}/searchpioneer.lingua.{Version}.nupkg");

    private string CachedModels => Path.Combine(CacheDirectory, "LanguageModels");

    /// <summary>The models beside the application, when it has them (Lingua's own default location).</summary>
    public bool BesideApplication =>
        File.Exists(Path.Combine(_applicationDirectory, "Lingua", "LanguageModels", "en", "fivegrams.json.br"));

    /// <summary>
    /// The folder to give Lingua: null when the models are beside the application (Lingua finds them itself), else the
    /// cache folder, fetched first when it is not there yet. Two processes fetching at once take turns (a lock), and the
    /// folder only appears once it is complete.
    /// </summary>
    /// <exception cref="DownloadUnreachableException">Not installed and the package could not be fetched; the message says what to do.</exception>
    public async Task<string?> LocateAsync(HttpClient? http, IProgress<string>? log, CancellationToken cancellationToken)
    {
        if (BesideApplication)
        {
            return null;
        }

        if (Directory.Exists(CachedModels))
        {
            return CachedModels;
        }

        using var held = await RunLock.AcquireAsync(Path.Combine(CacheDirectory, ".fetch.lock"), wait: true, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(CachedModels))
        {
            return CachedModels;
        }

        log?.Report($"Lingua's language models are not installed with the tool; fetching {UrlRedaction.Describe(PackageUrl)} (74 MB, once) into {CacheDirectory}");
        using var owned = http is null ? new HttpClient { Timeout = Timeout.InfiniteTimeSpan } : null;
        try
        {
            await new ResumableDownloader(http ?? owned!).DownloadAsync(
                new DownloadRequest(PackageUrl, PackagePath, PackageSha256), null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new LinguaModelsUnavailableException(
                $"{e.Message} Lingua's language models (for the language check) are not installed with the tool. Either turn the check " +
                $"off (--no-language-check; language_check = false in a study), set {BaseUrlVariable} to a NuGet mirror, or copy searchpioneer.lingua.{Version}.nupkg " +
                $"(any NuGet cache has it, e.g. ~/.nuget/packages/searchpioneer.lingua/{Version}/) to {CacheDirectory}/.", e);
        }

        var unpacking = Path.Combine(CacheDirectory, $".LanguageModels-{Guid.NewGuid():N}");
        try
        {
            await ExtractModelsAsync(PackagePath, unpacking, cancellationToken).ConfigureAwait(false);
            Directory.Move(unpacking, CachedModels);
        }
        finally
        {
            if (Directory.Exists(unpacking))
            {
                Directory.Delete(unpacking, recursive: true);
            }
        }

        File.Delete(PackagePath);
        return CachedModels;
    }

    /// <summary>
    /// The detector for a target language (<see cref="LinguaLanguageIdentifier.ForTarget"/>), its models located first
    /// when Lingua knows the language; a language it does not know gets the script check and needs no models.
    /// </summary>
    public async Task<LinguaLanguageIdentifier> IdentifierForAsync(string targetLanguage, HttpClient? http, IProgress<string>? log,
        CancellationToken cancellationToken) =>
        LinguaLanguageIdentifier.ForTarget(targetLanguage, await DirectoryForAsync([targetLanguage], http, log, cancellationToken).ConfigureAwait(false));

    /// <summary><see cref="LocateAsync"/> when Lingua knows one of the languages (the models are needed), else null.</summary>
    public async Task<string?> DirectoryForAsync(IEnumerable<string> languages, HttpClient? http, IProgress<string>? log,
        CancellationToken cancellationToken) =>
        languages.Any(LinguaLanguageIdentifier.LinguaKnows) ? await LocateAsync(http, log, cancellationToken).ConfigureAwait(false) : null;

    private static async Task ExtractModelsAsync(string package, string destination, CancellationToken cancellationToken)
    {
        var zip = await ZipFile.OpenReadAsync(package, cancellationToken).ConfigureAwait(false);
        await using (zip.ConfigureAwait(false))
        {
            var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
            var extracted = 0;
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.StartsWith(ModelsInPackage, StringComparison.Ordinal) || entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                var target = Path.GetFullPath(Path.Combine(destination, entry.FullName[ModelsInPackage.Length..]));
                if (!target.StartsWith(root, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{package}: entry '{entry.FullName}' points outside the models folder.");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await entry.ExtractToFileAsync(target, overwrite: false, cancellationToken).ConfigureAwait(false);
                extracted++;
            }

            if (extracted == 0)
            {
                throw new InvalidDataException($"{package} holds no Lingua language models under {ModelsInPackage}.");
            }
        }
    }
}

/// <summary>Lingua's models are neither installed nor fetchable; the message names the ways out.</summary>
public sealed class LinguaModelsUnavailableException(string message, Exception innerException) : IOException(message, innerException);
