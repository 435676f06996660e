using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;

namespace LowResGen.Encoders.Middleware;

/// <summary>
/// A persistent <see cref="IDistributedCache"/> in one SQLite file (WAL, so several processes may share it), for
/// Microsoft.Extensions.AI's caching middleware. Writes go behind the caller to one writer that commits whatever has
/// arrived in one transaction, so embedding 20,000 texts is a few commits, not 20,000; a value set but not yet committed
/// is already returned by <see cref="Get"/>. Entries never expire (expiration options are ignored): an embedding of a
/// text by a given encoder does not go stale. <see cref="FlushAsync"/> and Dispose wait for pending writes.
/// </summary>
public sealed class SqliteDistributedCache : IDistributedCache, IDisposable
{
    private const int MaxBatch = 4096;

    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte[]> _pending = new(StringComparer.Ordinal);
    private readonly Task _writer;
    private Exception? _writeFailure;
    private int _disposed;

    /// <param name="databasePath">SQLite file; created with its folder if missing.</param>
    public SqliteDistributedCache(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        Path = System.IO.Path.GetFullPath(databasePath);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // Pooled connections: closing the last connection to a WAL file checkpoints and fsyncs, too slow per lookup.
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
                """;
            command.ExecuteNonQuery();
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    public string Path { get; }

    /// <summary>Entries committed to the file, after committing pending ones.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM entries";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Waits until every value set so far is committed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_writes.Writer.TryWrite(new PendingWrite(null, null, flushed)))
        {
            await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowIfWriteFailed();
    }

    public byte[]? Get(string key)
    {
        ThrowIfWriteFailed();
        if (_pending.TryGetValue(key, out var pending))
        {
            return pending;
        }

        using var connection = Open();
        using var command = Lookup(connection, key);
        return command.ExecuteScalar() as byte[];
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ThrowIfWriteFailed();
        if (_pending.TryGetValue(key, out var pending))
        {
            return pending;
        }

        await using var connection = Open();
        await using var command = Lookup(connection, key);
        return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as byte[];
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfWriteFailed();
        _pending[key] = value;
        _writes.Writer.TryWrite(new PendingWrite(key, value, null));
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }

    /// <summary>Entries do not expire, so there is nothing to refresh.</summary>
    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        await FlushAsync(token).ConfigureAwait(false);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM entries WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writes.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static SqliteCommand Lookup(SqliteConnection connection, string key)
    {
        var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM entries WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command;
    }

    private void ThrowIfWriteFailed()
    {
        if (Volatile.Read(ref _writeFailure) is { } failure)
        {
            throw new InvalidOperationException($"The embedding cache {Path} could not be written: {failure.Message}", failure);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            try
            {
                if (_writeFailure is null)
                {
                    Insert(batch);
                }
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                Volatile.Write(ref _writeFailure, e);
            }

            foreach (var write in batch)
            {
                if (write.Key is not null)
                {
                    _pending.TryRemove(new KeyValuePair<string, byte[]>(write.Key, write.Value!));
                }

                write.Flushed?.TrySetResult();
            }

            batch.Clear();
        }
    }

    private void Insert(List<PendingWrite> writes)
    {
        if (!writes.Any(w => w.Key is not null))
        {
            return;
        }

        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO entries (key, value) VALUES ($key, $value)";
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var value = command.Parameters.Add("$value", SqliteType.Blob);
        foreach (var write in writes.Where(w => w.Key is not null))
        {
            key.Value = write.Key;
            value.Value = write.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private sealed record PendingWrite(string? Key, byte[]? Value, TaskCompletionSource? Flushed);
}
