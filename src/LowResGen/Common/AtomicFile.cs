namespace LowResGen.Common;

/// <summary>
/// Writes a file through a temporary sibling and a final rename, so a crash or an error never leaves
/// a half-written output behind under the real name.
/// </summary>
public static class AtomicFile
{
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public static Task WriteAllTextAsync(string path, string contents, CancellationToken cancellationToken) =>
        WriteAsync(path, async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            await writer.WriteAsync(contents.AsMemory(), ct).ConfigureAwait(false);
        }, cancellationToken);

    public static Task WriteAllBytesAsync(string path, byte[] contents, CancellationToken cancellationToken) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(contents, ct).AsTask(), cancellationToken);

    /// <summary>
    /// Deletes the temporary files (<c>.name.&lt;guid&gt;.tmp</c>) that a killed writer left in <paramref name="directory"/>
    /// (not below it). Call it only where this run owns the folder (under its lock), never where another writer may be busy.
    /// </summary>
    /// <returns>How many were removed.</returns>
    public static int RemoveLeftovers(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var name = Path.GetFileName(file);
            var guid = name.Length > 38 ? name[^36..^4] : "";
            if (guid.Length == 32 && guid.All(char.IsAsciiHexDigitLower) && name[^37] == '.')
            {
                TryDelete(file);
                removed += File.Exists(file) ? 0 : 1;
            }
        }

        return removed;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The temporary file is hidden and uniquely named; leaving it is harmless.
        }
    }
}
