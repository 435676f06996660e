namespace LowResGen.Tests.Data;

/// <summary>IProgress that reports on the caller's thread, so tests see every report before the call returns.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
