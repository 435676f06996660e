using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// A persistent response cache in SQLite. The key is a SHA-256 of the model identity, the messages, every option that can
/// change the answer and the sample index (<see cref="ChatOptionKeys.SampleIndex"/>), so a rerun replays without calling the
/// LLM while sample 2 of a prompt is never sample 1 replayed. WAL mode: several clients and processes may share one file;
/// each answer is committed as soon as it arrives, so an interrupted run keeps what it paid for. Stores only the key hash and
/// the answer, never prompts or credentials. Failed requests are not cached.
/// </summary>
public sealed class ResponseCacheChatClient : WholeAnswerDelegatingChatClient
{
    private readonly string _connectionString;
    private readonly string _modelIdentity;

    // SQLite allows one writer at a time and answers SQLITE_BUSY (retried after a sleep) to the others; queueing our own
    // writers here keeps concurrent requests from sleeping on each other. Other processes still rely on the busy timeout.
    private readonly SemaphoreSlim _writer = new(1, 1);

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
        using var connection = Open();
        using var command = connection.CreateCommand();
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

    /// <summary>Answers stored in the file (all models).</summary>
    public long Count
    {
        get
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM responses";
            return (long)command.ExecuteScalar()!;
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        var key = CacheKey(_modelIdentity, list, options);
        if (await LookupAsync(key, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }

        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        await StoreAsync(key, response, cancellationToken).ConfigureAwait(false);
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
            _writer.Dispose();
        }

        base.Dispose(disposing);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();

        // WAL + synchronous=NORMAL: a commit survives a crash of this process (what an interrupted run needs) without an
        // fsync per answer, which would serialise a batch of hundreds of concurrent answers behind the disk.
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private async Task<ChatResponse?> LookupAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT answer FROM responses WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string json)
        {
            return null;
        }

        var answer = JsonSerializer.Deserialize<CachedAnswer>(json)!;
        var response = new ChatResponse(answer.Texts.Select(t => new ChatMessage(ChatRole.Assistant, t)).ToList())
        {
            FinishReason = answer.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
            ModelId = answer.ModelId,
            Usage = new UsageDetails { InputTokenCount = answer.InputTokens, OutputTokenCount = answer.OutputTokens },
        };
        response.Set(ResponseAnnotations.CacheHit, true);
        return response;
    }

    private async Task StoreAsync(string key, ChatResponse response, CancellationToken cancellationToken)
    {
        var answer = new CachedAnswer(
            response.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text).ToArray(),
            response.FinishReason?.Value, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, response.ModelId);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await InsertAsync(key, answer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task InsertAsync(string key, CachedAnswer answer, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO responses (key, model, answer, created_utc) VALUES ($key, $model, $answer, $created)";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$model", _modelIdentity);
        command.Parameters.AddWithValue("$answer", JsonSerializer.Serialize(answer));
        command.Parameters.AddWithValue("$created", DateTime.UtcNow.ToString("O"));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SHA-256 (hex) of a canonical JSON of everything that determines the answer.</summary>
    internal static string CacheKey(string modelIdentity, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteString("model", modelIdentity);
            json.WriteNumber("sample", options.GetSampleIndex());
            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                json.WriteStartArray();
                json.WriteStringValue(message.Role.Value);
                json.WriteStringValue(message.Text);
                json.WriteEndArray();
            }

            json.WriteEndArray();
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
                foreach (var (name, value) in (options.AdditionalProperties ?? []).Where(p => p.Key != ChatOptionKeys.SampleIndex).OrderBy(p => p.Key, StringComparer.Ordinal))
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

    private sealed record CachedAnswer(string[] Texts, string? FinishReason, long? InputTokens, long? OutputTokens, string? ModelId);
}
