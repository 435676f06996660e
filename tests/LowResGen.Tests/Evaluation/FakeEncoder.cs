using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace LowResGen.Tests.Evaluation;

/// <summary>
/// A deterministic stand-in encoder: each word adds one to a hashed dimension (a stable hash, not string.GetHashCode),
/// plus a constant dimension so that no vector is zero. Counts the texts it embedded and the requests it got.
/// </summary>
internal sealed class FakeEncoder(int dimensions = 24) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _texts;
    private int _requests;

    public int TextsEmbedded => Volatile.Read(ref _texts);

    public int Requests => Volatile.Read(ref _requests);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _requests);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            Interlocked.Increment(ref _texts);
            result.Add(new Embedding<float>(Embed(text)));
        }

        return Task.FromResult(result);
    }

    public float[] Embed(string text)
    {
        var vector = new float[dimensions];
        vector[0] = 0.5f;
        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '!', '?'], StringSplitOptions.RemoveEmptyEntries))
        {
            var hash = 17u;
            foreach (var c in word)
            {
                hash = unchecked(hash * 31 + c);
            }

            vector[1 + (int)(hash % (uint)(dimensions - 1))] += 1;
        }

        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>An in-memory <see cref="IDistributedCache"/> for Microsoft.Extensions.AI's caching embedding generator.</summary>
internal sealed class MemoryCache : IDistributedCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _entries = new();

    public int Count => _entries.Count;

    public byte[]? Get(string key) => _entries.TryGetValue(key, out var value) ? value : null;

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _entries[key] = value;

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => _entries.TryRemove(key, out _);

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }
}
