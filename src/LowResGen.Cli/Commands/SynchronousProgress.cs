namespace LowResGen.Cli.Commands;

/// <summary>
/// Reports on the caller's thread, unlike <see cref="Progress{T}"/>, which posts to the thread pool: log lines and
/// progress bars then follow the work in order.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
