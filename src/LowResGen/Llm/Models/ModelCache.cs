namespace LowResGen.Llm.Models;

/// <summary>A GGUF file in the model cache; <see cref="Name"/> is <c>owner/repo/file.gguf</c>.</summary>
public sealed record CachedModel(string Name, string Path, long SizeBytes, DateTimeOffset Modified);

/// <summary>
/// The local folder of downloaded models: <c>&lt;root&gt;/&lt;owner&gt;/&lt;repo&gt;/&lt;file&gt;</c>. The root is
/// <c>$LOWRESGEN_HOME/models</c> when that variable is set, else <c>~/.cache/lowresgen/models</c>.
/// </summary>
public sealed class ModelCache
{
    public const string HomeVariable = "LOWRESGEN_HOME";

    /// <param name="directory">The cache root; null = <see cref="DefaultDirectory"/>.</param>
    public ModelCache(string? directory = null)
    {
        Directory = System.IO.Path.GetFullPath(directory ?? DefaultDirectory(Environment.GetEnvironmentVariable));
    }

    public string Directory { get; }

    public static string DefaultDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(HomeVariable) is { Length: > 0 } home)
        {
            return System.IO.Path.Combine(home, "models");
        }

        var user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return System.IO.Path.Combine(user, ".cache", "lowresgen", "models");
    }

    /// <summary>Where <paramref name="file"/> of the Hugging Face repository <paramref name="repository"/> lives in the cache.</summary>
    public string PathFor(string repository, string file)
    {
        var repoParts = SplitChecked(repository, nameof(repository));
        if (repoParts.Length != 2)
        {
            throw new ArgumentException($"A repository is 'owner/name', not '{repository}'.", nameof(repository));
        }

        return System.IO.Path.Combine([Directory, .. repoParts, .. SplitChecked(file, nameof(file))]);
    }

    /// <summary>Every complete GGUF file in the cache (partial downloads are not listed), by name.</summary>
    public IReadOnlyList<CachedModel> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.gguf", SearchOption.AllDirectories)
            .Select(path => new FileInfo(path))
            .Select(info => new CachedModel(
                System.IO.Path.GetRelativePath(Directory, info.FullName).Replace(System.IO.Path.DirectorySeparatorChar, '/'),
                info.FullName,
                info.Length,
                info.LastWriteTimeUtc))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Finds a model given as a path to a file, a cache name (<c>owner/repo/file.gguf</c>) or a bare file name that is
    /// unique in the cache. Null when none matches.
    /// </summary>
    public string? Resolve(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (File.Exists(reference))
        {
            return System.IO.Path.GetFullPath(reference);
        }

        var models = List();
        var byName = models.FirstOrDefault(m => m.Name == reference.Replace('\\', '/'));
        if (byName is not null)
        {
            return byName.Path;
        }

        var byFile = models.Where(m => System.IO.Path.GetFileName(m.Path) == reference).ToList();
        return byFile.Count == 1 ? byFile[0].Path : null;
    }

    /// <summary>Path segments of a repository or file name; no empty, "." or ".." segment may escape the cache.</summary>
    private static string[] SplitChecked(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, parameter);
        var parts = value.Split('/');
        if (parts.Any(p => p.Length == 0 || p == "." || p == ".." || p.Contains('\\') || p.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0))
        {
            throw new ArgumentException($"'{value}' is not a valid repository or file name.", parameter);
        }

        return parts;
    }
}
