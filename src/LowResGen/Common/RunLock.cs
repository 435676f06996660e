using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LowResGen.Common;

/// <summary>Who holds a <see cref="RunLock"/>: written next to the lock file when it is taken.</summary>
public sealed record LockHolder(string Host, int Pid, DateTimeOffset Started)
{
    public override string ToString() =>
        $"pid {Pid.ToString(CultureInfo.InvariantCulture)} on {Host}, since {Started.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";
}

/// <summary>The output is in use by another run.</summary>
public sealed class RunLockedException(string path, LockHolder? holder, string? whatToDo = null)
    : IOException($"{path} is in use by another run ({holder?.ToString() ?? "holder unknown"}); {whatToDo ?? "wait for it to finish, or pass --wait to wait for it"}.")
{
    public LockHolder? Holder { get; } = holder;
}

/// <summary>
/// An exclusive lock on one output (a study store, a shard store): a file held open with <see cref="FileShare.None"/>,
/// which .NET takes as an OS lock (flock on Unix, a share lock on Windows). The OS drops it when the holder dies, even by
/// kill -9, so a stale lock is never mistaken for a live one and taking it over needs no guess about pids: the next run
/// simply gets it (and <see cref="TookOverFrom"/> names the dead holder). The holder's host, pid and start time are written
/// to a sidecar file for the message the next run prints.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _holderPath;

    private RunLock(FileStream stream, string holderPath, LockHolder? previous)
    {
        _lock = stream;
        _holderPath = holderPath;
        TookOverFrom = previous;
    }

    /// <summary>The holder recorded by a run that ended without releasing the lock (killed), if any.</summary>
    public LockHolder? TookOverFrom { get; }

    /// <summary>Takes the lock at <paramref name="path"/>; throws <see cref="RunLockedException"/> at once when another run holds
    /// it, or with <paramref name="wait"/> polls until it is free (or <paramref name="cancellationToken"/> fires).</summary>
    public static async Task<RunLock> AcquireAsync(string path, bool wait, CancellationToken cancellationToken, TimeProvider? time = null,
        TimeSpan? pollInterval = null, string? whatToDo = null)
    {
        time ??= TimeProvider.System;
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var holderPath = full + ".holder.json";
        while (true)
        {
            FileStream? stream = null;
            try
            {
                stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(full))
            {
                if (!wait)
                {
                    throw new RunLockedException(full, ReadHolder(holderPath), whatToDo);
                }

                await Task.Delay(pollInterval ?? TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var previous = ReadHolder(holderPath);
            using var process = Process.GetCurrentProcess();
            var holder = new LockHolder(Environment.MachineName, Environment.ProcessId, new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero));
            await File.WriteAllTextAsync(holderPath, JsonSerializer.Serialize(holder), cancellationToken).ConfigureAwait(false);
            return new RunLock(stream, holderPath, previous);
        }
    }

    private static LockHolder? ReadHolder(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        // Holder first: once the lock is released the next run may already be writing its own.
        try
        {
            File.Delete(_holderPath);
        }
        catch (IOException)
        {
            // Harmless: the next holder overwrites it.
        }

        _lock.Dispose();
    }
}
