using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// A persistent response cache in SQLite. The key is a SHA-256 of the model identity, the messages, every option that can
/// change the answer and the sample index (<see cref="ChatOptionKeys.SampleIndex"/>), so a rerun replays without calling the
/// LLM while sample 2 of a prompt is never sample 1 replayed. WAL mode: several clients and processes may share one file.
/// Answers are written behind the caller by one writer that commits whatever has arrived in one transaction (milliseconds
/// after each answer; <see cref="FlushAsync"/> and Dispose wait for it), so hundreds of concurrent answers never queue on
/// the disk. Stores only the key hash and the answer, never prompts or credentials. Failed requests are not cached.
/// A key holds one answer for good (the first stored wins; identical requests in flight share one answer), so a run
/// replayed from the cache sees exactly the answers the original run used. Log-probability scores (<see cref="ICompletionScorer"/>)
/// are cached by the same rules in the same table, keyed by the model identity, the messages and the candidates.
/// </summary>
public sealed class ResponseCacheChatClient : WholeAnswerDelegatingChatClient
{
    private const int MaxBatch = 512;

    private readonly string _connectionString;
    private readonly string _modelIdentity;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    // Answers accepted but not yet committed, so a repeat that arrives meanwhile is still a hit.
    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);

    // Misses being asked right now: an identical request waits for that answer instead of drawing a second, different one
    // that would leave the live run and its replay disagreeing about which answer the key holds.
    private readonly ConcurrentDictionary<string, Task> _asking = new(StringComparer.Ordinal);
    private readonly Task _writer;
    private Exception? _writeFailure;

    /// <param name="databasePath">SQLite file; created with its folder if missing.</param>
    /// <param name="modelIdentity">What makes answers of two clients interchangeable, e.g. "served:Qwen/Qwen2.5-7B-Instruct";
    /// defaults to the inner client's provider and model id.</param>
    public ResponseCacheChatClient(IChatClient innerClient, string databasePath, string? modelIdentity = null)
        : base(innerClient)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var metadata = innerClient.GetService<ChatClientMetadata>();
        _modelIdentity = modelIdentity ?? $"{metadata?.ProviderName}:{metadata?.DefaultModelId}";
        if (Path.GetDirectoryName(Path.GetFullPath(databasePath)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // Pooled connections: when the last connection to a WAL database closes, SQLite checkpoints and fsyncs, which
        // per answer would cost tens of milliseconds. The pool is cleared on Dispose, so nothing holds the file afterwards.
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS responses (
                    key TEXT PRIMARY KEY,
                    model TEXT NOT NULL,
                    answer TEXT NOT NULL,
                    created_utc TEXT NOT NULL);
                """;
            command.ExecuteNonQuery();
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Answers stored in the file (all models), after committing pending ones.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM responses";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Waits until every answer received so far is committed to the file.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_writes.Writer.TryWrite(new PendingWrite(null, null, flushed)))
        {
            await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowIfWriteFailed();
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        return GetOrAskAsync(CacheKey(_modelIdentity, list, options),
            json => JsonSerializer.Deserialize<CachedAnswer>(json)!.ToResponse(),
            async ct =>
            {
                var response = await base.GetResponseAsync(list, options, ct).ConfigureAwait(false);
                var answer = new CachedAnswer(
                    response.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text).ToArray(),
                    response.FinishReason?.Value, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, response.ModelId);
                return (response, JsonSerializer.Serialize(answer));
            },
            cancellationToken);
    }

    /// <summary>Score vectors are cached like answers, keyed by the same fields plus the candidates (scoring samples nothing).</summary>
    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new CachingScorer(this, inner);

    /// <summary>
    /// The cache's one rule for answers and scores alike: a pending or stored entry is replayed; otherwise the first request
    /// for a key asks (<paramref name="ask"/> returns the result and the JSON to store) and identical ones wait for it.
    /// </summary>
    private async Task<T> GetOrAskAsync<T>(string key, Func<string, T> replay, Func<CancellationToken, Task<(T Result, string Json)>> ask,
        CancellationToken cancellationToken)
    {
        ThrowIfWriteFailed();
        while (true)
        {
            if (_pending.TryGetValue(key, out var pending))
            {
                return replay(pending);
            }

            if (await LookupAsync(key, cancellationToken).ConfigureAwait(false) is { } cached)
            {
                return replay(cached);
            }

            var asking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_asking.TryAdd(key, asking.Task))
            {
                if (_asking.TryGetValue(key, out var other))
                {
                    try
                    {
                        await other.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The other request failed: this one asks on its own (or joins a newer one).
                    }
                }

                continue;
            }

            (T Result, string Json) answer;
            try
            {
                answer = await ask(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _asking.TryRemove(key, out _);
                asking.TrySetException(e);
                throw;
            }

            _pending[key] = answer.Json;
            _writes.Writer.TryWrite(new PendingWrite(key, answer.Json, null));
            _asking.TryRemove(key, out _);
            asking.TrySetResult();
            return answer.Result;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writes.Writer.TryComplete();
            _writer.GetAwaiter().GetResult();
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }

        base.Dispose(disposing);
    }

    private void ThrowIfWriteFailed()
    {
        if (Volatile.Read(ref _writeFailure) is { } failure)
        {
            throw new InvalidOperationException($"The response cache could not be written: {failure.Message}", failure);
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
                    Insert(batch.Where(w => w.Key is not null).ToArray());
                }
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                // Later calls and FlushAsync report it; the answers themselves were already returned to their callers.
                Volatile.Write(ref _writeFailure, e);
            }

            foreach (var write in batch)
            {
                if (write.Key is not null)
                {
                    _pending.TryRemove(new KeyValuePair<string, string>(write.Key, write.Json!));
                }

                write.Flushed?.TrySetResult();
            }

            batch.Clear();
        }
    }

    private void Insert(PendingWrite[] writes)
    {
        if (writes.Length == 0)
        {
            return;
        }

        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO responses (key, model, answer, created_utc) VALUES ($key, $model, $answer, $created)";
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var answer = command.Parameters.Add("$answer", SqliteType.Text);
        command.Parameters.AddWithValue("$model", _modelIdentity);
        command.Parameters.AddWithValue("$created", DateTime.UtcNow.ToString("O"));
        foreach (var write in writes)
        {
            key.Value = write.Key;
            answer.Value = write.Json;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();

        // WAL + synchronous=NORMAL: a commit survives a crash of this process (what an interrupted run needs) without an
        // fsync per commit.
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private async Task<string?> LookupAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT answer FROM responses WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>
    /// SHA-256 (hex) of a canonical JSON of everything that determines the answer; for scores, the
    /// <paramref name="candidates"/> too (absent from answer keys, so the keys of stored answers are unchanged).
    /// </summary>
    internal static string CacheKey(string modelIdentity, IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        IReadOnlyList<string>? candidates = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteString("model", modelIdentity);
            json.WriteNumber("sample", options.GetSampleIndex());
            if (options.GetSampleStream() is { } stream)
            {
                json.WriteString("stream", stream);
            }

            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                json.WriteStartArray();
                json.WriteStringValue(message.Role.Value);
                json.WriteStringValue(message.Text);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            if (candidates is not null)
            {
                json.WritePropertyName("candidates");
                JsonSerializer.Serialize(json, candidates.ToArray());
            }

            if (options is not null)
            {
                json.WriteString("instructions", options.Instructions);
                json.WriteString("model_id", options.ModelId);
                Served.ChatCompletionProtocol.WriteSamplingFields(json, options);

                json.WritePropertyName("stop");
                JsonSerializer.Serialize(json, options.StopSequences?.ToArray() ?? []);
                json.WritePropertyName("response_format");
                JsonSerializer.Serialize(json, options.ResponseFormat switch
                {
                    ChatResponseFormatJson j => "json:" + j.SchemaName + ":" + j.Schema?.GetRawText(),
                    ChatResponseFormatText => "text",
                    _ => null,
                });
                json.WriteStartObject("extra");
                foreach (var (name, value) in (options.AdditionalProperties ?? []).Where(p => p.Key is not (ChatOptionKeys.SampleIndex or ChatOptionKeys.SampleStream)).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(name);
                    JsonSerializer.Serialize(json, value, value?.GetType() ?? typeof(object), AIJsonUtilities.DefaultOptions);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private sealed record PendingWrite(string? Key, string? Json, TaskCompletionSource? Flushed);

    private sealed record CachedAnswer(string[] Texts, string? FinishReason, long? InputTokens, long? OutputTokens, string? ModelId)
    {
        public ChatResponse ToResponse()
        {
            var response = new ChatResponse(Texts.Select(t => new ChatMessage(ChatRole.Assistant, t)).ToList())
            {
                FinishReason = FinishReason is { } reason ? new ChatFinishReason(reason) : null,
                ModelId = ModelId,
                Usage = new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens },
            };
            response.Set(ResponseAnnotations.CacheHit, true);
            return response;
        }
    }

    /// <summary>Scores as stored: the log-probabilities (infinities allowed) and the tokens the backend reported reading.</summary>
    private sealed record CachedScores(double[] Scores, long? InputTokens)
    {
        public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

        public CompletionScores ToScores()
        {
            var scores = new CompletionScores(Scores) { Usage = InputTokens is { } n ? new UsageDetails { InputTokenCount = n, TotalTokenCount = n } : null };
            scores.Set(ResponseAnnotations.CacheHit, true);
            return scores;
        }
    }

    private sealed class CachingScorer(ResponseCacheChatClient cache, ICompletionScorer inner) : ICompletionScorer
    {
        public Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken) =>
            cache.GetOrAskAsync(CacheKey(cache._modelIdentity, messages, null, candidates),
                json => (IReadOnlyList<double>)JsonSerializer.Deserialize<CachedScores>(json, CachedScores.Json)!.ToScores(),
                async ct =>
                {
                    var scores = await inner.ScoreAsync(messages, candidates, ct).ConfigureAwait(false);
                    var stored = new CachedScores([.. scores], (scores as CompletionScores)?.Usage?.InputTokenCount);
                    return (scores, JsonSerializer.Serialize(stored, CachedScores.Json));
                },
                cancellationToken);
    }
}
