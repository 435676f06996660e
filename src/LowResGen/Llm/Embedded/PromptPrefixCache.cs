using System.Runtime.InteropServices;
using LLama.Batched;
using LLama.Native;

namespace LowResGen.Llm.Embedded;

/// <summary>
/// Decoded prompts kept in the KV cache as idle conversations, so that a request starting with the same tokens is a
/// fork of one (llama.cpp shares the KV cells, nothing is copied) and decodes only what differs. This is what makes a
/// k-shot classifier on a CPU pay for its instructions and demonstrations once instead of once per text, and a
/// generation prompt sampled again cost one token instead of the whole prompt. Used only on the scheduler's loop.
/// </summary>
internal sealed class PromptPrefixCache(int slots) : IDisposable
{
    /// <summary>Below this many shared tokens a fork saves less than it costs to keep the entry.</summary>
    public const int MinimumSharedTokens = 16;

    private readonly List<CachedPrompt> _entries = []; // least recently used first

    public int Count => _entries.Count;

    public bool Enabled => slots > 0;

    /// <summary>
    /// A conversation for <paramref name="prompt"/>: a fork of the cached prompt that shares the most leading tokens with
    /// it, rewound to what they share, or a new conversation when none shares enough. Returns how many of the prompt's
    /// tokens are already in the KV cache (never the last one: its logits start the answer).
    /// </summary>
    public (Conversation Conversation, int ReusedTokens) Open(BatchedExecutor executor, LLamaToken[] prompt)
    {
        var (best, reused) = Lookup(prompt);
        if (best is null)
        {
            return (executor.Create(), 0);
        }

        var conversation = best.Conversation.Fork();
        if (conversation.TokenCount > reused)
        {
            conversation.Rewind(conversation.TokenCount - reused);
        }

        _entries.Remove(best);
        _entries.Add(best);
        return (conversation, reused);
    }

    /// <summary>How many of <paramref name="prompt"/>'s tokens <see cref="Open"/> would take from the cache.</summary>
    public int ReusableTokens(LLamaToken[] prompt) => Lookup(prompt).ReusedTokens;

    /// <summary>How many leading tokens two prompts share.</summary>
    public static int SharedPrefixLength(LLamaToken[] a, LLamaToken[] b) =>
        MemoryMarshal.Cast<LLamaToken, int>(a).CommonPrefixLength(MemoryMarshal.Cast<LLamaToken, int>(b));

    private (CachedPrompt? Entry, int ReusedTokens) Lookup(LLamaToken[] prompt)
    {
        CachedPrompt? best = null;
        var bestShared = 0;
        foreach (var entry in _entries)
        {
            var shared = SharedPrefixLength(entry.Tokens, prompt);
            if (shared > bestShared)
            {
                (best, bestShared) = (entry, shared);
            }
        }

        var reused = Math.Min(bestShared, prompt.Length - 1);
        return best is null || reused < MinimumSharedTokens ? (null, 0) : (best, reused);
    }

    /// <summary>
    /// Keeps <paramref name="conversation"/>'s prompt, just decoded and not yet answered, unless it is short or a cached
    /// prompt already covered all of it. The least recently used entry makes room.
    /// </summary>
    public void Remember(Conversation conversation, LLamaToken[] prompt, int reusedTokens)
    {
        if (slots == 0 || prompt.Length < MinimumSharedTokens || reusedTokens == prompt.Length - 1)
        {
            return;
        }

        if (_entries.Count == slots)
        {
            _entries[0].Conversation.Dispose();
            _entries.RemoveAt(0);
        }

        _entries.Add(new CachedPrompt(prompt, conversation.Fork()));
    }

    /// <summary>Frees every entry's KV cells (when llama.cpp has no room left for the active sequences).</summary>
    public void Clear()
    {
        foreach (var entry in _entries)
        {
            entry.Conversation.Dispose();
        }

        _entries.Clear();
    }

    public void Dispose() => Clear();

    private sealed record CachedPrompt(LLamaToken[] Tokens, Conversation Conversation);
}
