using System.Text.Json;
using LowResGen.Evaluation.Metrics;
using Microsoft.Data.Sqlite;

namespace LowResGen.Experiments;

/// <summary>Per-seed scores of one setting.</summary>
public sealed record SeedScore(int Seed, double MacroF1, double Accuracy);

/// <summary>
/// A finished cell as stored: its identity, scores (for evaluation cells), LLM usage and wall time, and the examples
/// per class it accepted (generation) or trained on (evaluation) against what was asked; null in stores written before
/// counts were kept.
/// </summary>
public sealed record CellRecord(
    string Key,
    CellKind Kind,
    string Task,
    string Language,
    string? Model,
    string? Strategy,
    string Setting,
    IReadOnlyList<SeedScore> Scores,
    string? ArtifactPath,
    long LlmTokens,
    double WallSeconds,
    DateTimeOffset FinishedUtc,
    ClassCounts? Counts = null)
{
    /// <summary>The training size per class of an evaluation cell; null for other cells and in stores written before sizes were kept.</summary>
    public int? PerClass { get; init; }

    /// <summary>The student of an evaluation cell; null for other cells and in stores written before students were kept.</summary>
    public string? Student { get; init; }

    /// <summary>LLM requests the cell took; null in stores written before calls were kept.</summary>
    public long? LlmCalls { get; init; }

    /// <summary>A cell whose counts fell short of what was asked (a class below its quota, or below per_class).</summary>
    public bool IsShort => Counts?.IsShort == true;
}

/// <summary>
/// The study's durable record of finished cells (SQLite, WAL). A cell is recorded only when it has finished, in one
/// transaction with its scores, so a killed run never leaves a half-recorded cell; the work inside a cell persists
/// itself (generation appends accepted examples, evaluation appends seeds) and resumes on its own.
/// </summary>
public sealed class StudyStore : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private StudyStore(SqliteConnection connection) => _connection = connection;

    public static async Task<StudyStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=NORMAL;
                PRAGMA busy_timeout=10000;
                CREATE TABLE IF NOT EXISTS cells (
                    key TEXT PRIMARY KEY, kind TEXT NOT NULL, task TEXT NOT NULL, language TEXT NOT NULL,
                    model TEXT, strategy TEXT, setting TEXT NOT NULL, artifact TEXT,
                    llm_tokens INTEGER NOT NULL,
                    wall_seconds REAL NOT NULL, finished_utc TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS scores (
                    key TEXT NOT NULL, seed INTEGER NOT NULL, f1 REAL NOT NULL, accuracy REAL NOT NULL,
                    PRIMARY KEY (key, seed));
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (column, alter) in new[]
                 {
                     ("counts", "ALTER TABLE cells ADD COLUMN counts TEXT"),
                     ("per_class", "ALTER TABLE cells ADD COLUMN per_class INTEGER"),
                     ("student", "ALTER TABLE cells ADD COLUMN student TEXT"),
                     ("llm_calls", "ALTER TABLE cells ADD COLUMN llm_calls INTEGER"),
                 })
        {
            await AddColumnAsync(connection, column, alter, cancellationToken).ConfigureAwait(false);
        }

        return new StudyStore(connection);
    }

    public async Task<bool> IsFinishedAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM cells WHERE key = $key";
            command.Parameters.AddWithValue("$key", key);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RecordAsync(CellRecord record, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await InsertAsync(_connection, transaction, record, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<CellRecord>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadAllAsync(_connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Copies every finished cell of another store (a shard's) into this one; cells already here are kept.</summary>
    public async Task<int> MergeFromAsync(string otherPath, CancellationToken cancellationToken)
    {
        await using var other = await OpenAsync(otherPath, cancellationToken).ConfigureAwait(false);
        var records = await other.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var added = 0;
        foreach (var record in records)
        {
            if (!await IsFinishedAsync(record.Key, cancellationToken).ConfigureAwait(false))
            {
                await RecordAsync(record, cancellationToken).ConfigureAwait(false);
                added++;
            }
        }

        return added;
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    /// <summary>Stores made before a column was kept (counts, sizes, students, calls) get it, empty for their cells, so they still open and resume.</summary>
    private static async Task AddColumnAsync(SqliteConnection connection, string column, string alterStatement, CancellationToken cancellationToken)
    {
        await using (var probe = connection.CreateCommand())
        {
            probe.CommandText = "SELECT 1 FROM pragma_table_info('cells') WHERE name = $column";
            probe.Parameters.AddWithValue("$column", column);
            if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        await using var alter = connection.CreateCommand();
        alter.CommandText = alterStatement;
        await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions CountsJson = new(JsonSerializerDefaults.Web);

    private static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, CellRecord record, CancellationToken cancellationToken)
    {
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO cells (key, kind, task, language, model, strategy, setting, artifact,
                    llm_tokens, wall_seconds, finished_utc, counts, per_class, student, llm_calls)
                VALUES ($key, $kind, $task, $language, $model, $strategy, $setting, $artifact,
                    $tokens, $wall, $finished, $counts, $perClass, $student, $calls)
                """;
            command.Parameters.AddWithValue("$key", record.Key);
            command.Parameters.AddWithValue("$kind", record.Kind.ToString());
            command.Parameters.AddWithValue("$task", record.Task);
            command.Parameters.AddWithValue("$language", record.Language);
            command.Parameters.AddWithValue("$model", (object?)record.Model ?? DBNull.Value);
            command.Parameters.AddWithValue("$strategy", (object?)record.Strategy ?? DBNull.Value);
            command.Parameters.AddWithValue("$setting", record.Setting);
            command.Parameters.AddWithValue("$artifact", (object?)record.ArtifactPath ?? DBNull.Value);
            command.Parameters.AddWithValue("$tokens", record.LlmTokens);
            command.Parameters.AddWithValue("$wall", record.WallSeconds);
            command.Parameters.AddWithValue("$finished", record.FinishedUtc.ToString("O"));
            command.Parameters.AddWithValue("$counts", record.Counts is null ? DBNull.Value : JsonSerializer.Serialize(record.Counts, CountsJson));
            command.Parameters.AddWithValue("$perClass", (object?)record.PerClass ?? DBNull.Value);
            command.Parameters.AddWithValue("$student", (object?)record.Student ?? DBNull.Value);
            command.Parameters.AddWithValue("$calls", (object?)record.LlmCalls ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var score in record.Scores)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO scores (key, seed, f1, accuracy) VALUES ($key, $seed, $f1, $accuracy)";
            command.Parameters.AddWithValue("$key", record.Key);
            command.Parameters.AddWithValue("$seed", score.Seed);
            command.Parameters.AddWithValue("$f1", score.MacroF1);
            command.Parameters.AddWithValue("$accuracy", score.Accuracy);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<CellRecord>> ReadAllAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var scores = new Dictionary<string, List<SeedScore>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT key, seed, f1, accuracy FROM scores ORDER BY key, seed";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                if (!scores.TryGetValue(key, out var list))
                {
                    scores[key] = list = [];
                }

                list.Add(new SeedScore(reader.GetInt32(1), reader.GetDouble(2), reader.GetDouble(3)));
            }
        }

        var records = new List<CellRecord>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT key, kind, task, language, model, strategy, setting, artifact, llm_tokens,
                       wall_seconds, finished_utc, counts, per_class, student, llm_calls FROM cells ORDER BY task, language, kind, model, strategy, setting
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                records.Add(new CellRecord(
                    key,
                    Enum.Parse<CellKind>(reader.GetString(1)),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetString(6),
                    scores.TryGetValue(key, out var list) ? list : [],
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.GetInt64(8),
                    reader.GetDouble(9),
                    DateTimeOffset.Parse(reader.GetString(10), System.Globalization.CultureInfo.InvariantCulture),
                    reader.IsDBNull(11) ? null : JsonSerializer.Deserialize<ClassCounts>(reader.GetString(11), CountsJson))
                {
                    PerClass = reader.IsDBNull(12) ? null : reader.GetInt32(12),
                    Student = reader.IsDBNull(13) ? null : reader.GetString(13),
                    LlmCalls = reader.IsDBNull(14) ? null : reader.GetInt64(14),
                });
            }
        }

        return records;
    }
}
