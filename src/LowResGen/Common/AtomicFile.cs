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
