using System.Net.Http.Headers;
using LowResGen.Common.Downloads;

namespace LowResGen.Llm.Models;

/// <summary>A GGUF file to fetch from a Hugging Face repository (or a mirror with the same URL layout).</summary>
/// <param name="Repository">"owner/name".</param>
/// <param name="File">File in the repository, e.g. "qwen2.5-1.5b-instruct-q4_k_m.gguf".</param>
/// <param name="Sha256">Expected SHA-256 (hex); when given, a mismatching download is discarded.</param>
/// <param name="Revision">Branch, tag or commit.</param>
public sealed record ModelPullRequest(string Repository, string File, string? Sha256 = null, string Revision = ModelPullRequest.DefaultRevision)
{
    /// <summary>The branch pulled when no revision is given.</summary>
    public const string DefaultRevision = "main";
}

/// <summary>
/// Downloads models into a <see cref="ModelCache"/> from <c>&lt;base&gt;/&lt;repo&gt;/resolve/&lt;revision&gt;/&lt;file&gt;</c>,
/// resuming interrupted downloads, verifying the checksum and moving the file into place only when complete.
/// A Hugging Face token is read from <c>HF_TOKEN</c> and only ever sent as a header. Retry delays run on
/// <c>timeProvider</c> (default <see cref="TimeProvider.System"/>).
/// </summary>
public sealed class ModelPuller(HttpClient http, ModelCache cache, Func<string, string?>? environment = null, ResumableDownloaderOptions? options = null,
    TimeProvider? timeProvider = null)
{
    public const string TokenVariable = "HF_TOKEN";
    public static readonly Uri DefaultBaseUrl = new("https://huggingface.co/");

    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>The URL a file is fetched from.</summary>
    public static Uri SourceFor(ModelPullRequest request, Uri? baseUrl = null)
    {
        var root = (baseUrl ?? DefaultBaseUrl).ToString().TrimEnd('/') + "/";
        string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        return new Uri(new Uri(root), $"{Escape(request.Repository)}/resolve/{Uri.EscapeDataString(request.Revision)}/{Escape(request.File)}");
    }

    public Task<DownloadResult> PullAsync(ModelPullRequest request, Uri? baseUrl, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var download = new DownloadRequest(SourceFor(request, baseUrl), cache.PathFor(request.Repository, request.File), request.Sha256)
        {
            Authorization = _environment(TokenVariable) is { Length: > 0 } token ? new AuthenticationHeaderValue("Bearer", token) : null,
        };
        return new ResumableDownloader(http, options, timeProvider).DownloadAsync(download, progress, cancellationToken);
    }
}
