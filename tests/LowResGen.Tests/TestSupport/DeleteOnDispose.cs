namespace LowResGen.Tests;

/// <summary>Deletes a test's temporary folder when the test ends, so runs leave nothing behind under /tmp.</summary>
internal sealed class DeleteOnDispose(string directory) : IDisposable
{
    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open by a process the test started must not fail the test.
        }
    }
}
