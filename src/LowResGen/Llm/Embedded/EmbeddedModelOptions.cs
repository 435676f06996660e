namespace LowResGen.Llm.Embedded;

/// <summary>How to load a GGUF model in-process.</summary>
/// <param name="ModelPath">The GGUF file.</param>
/// <param name="ContextSize">Context window of each sequence in tokens (prompt + answer); null = the model's own, capped at 4096.</param>
/// <param name="ParallelSequences">How many requests are decoded together in one batch.</param>
/// <param name="Threads">CPU threads; null = llama.cpp's choice for single-sequence steps and every core for batched steps.</param>
/// <param name="BatchSize">Most tokens sent to the model in one decode step (prompt chunks and generated tokens together).</param>
/// <param name="DefaultMaxOutputTokens">Answer length when a request does not set <c>MaxOutputTokens</c>.</param>
/// <param name="PromptCacheSlots">
/// Decoded prompts kept in the KV cache for reuse: a request whose prompt starts with the same tokens as one of them
/// (the instructions and demonstrations of a k-shot prompt, or the same generation prompt sampled again) decodes only
/// the rest. 0 turns the reuse off.
/// </param>
public sealed record EmbeddedModelOptions(
    string ModelPath,
    int? ContextSize = null,
    int ParallelSequences = 4,
    int? Threads = null,
    int BatchSize = 512,
    int DefaultMaxOutputTokens = 512,
    int PromptCacheSlots = 4)
{
    /// <summary>The context size used when the model's own is larger (memory grows with it, per sequence).</summary>
    public const int DefaultContextCap = 4096;
}
