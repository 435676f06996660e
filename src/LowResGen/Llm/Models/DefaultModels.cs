namespace LowResGen.Llm.Models;

/// <summary>A model the documentation and the quickstart refer to by name.</summary>
/// <param name="Pull">Where to download it from.</param>
/// <param name="SizeBytes">Approximate download size.</param>
/// <param name="License">Licence of the weights.</param>
public sealed record KnownModel(ModelPullRequest Pull, long SizeBytes, string License)
{
    /// <summary>The name the model has in the cache (and accepts in <c>--model</c>).</summary>
    public string CacheName => $"{Pull.Repository}/{Pull.File}";
}

/// <summary>The models named by the quickstart: the one place to change them (the choice is explained in docs/llm-embedded.md).</summary>
public static class DefaultModels
{
    /// <summary>
    /// Qwen2.5 1.5B Instruct, 4-bit (Q4_K_M): multilingual instruction model (29+ languages), Apache-2.0, not gated,
    /// about 1.1 GB, runs on a laptop CPU. Its checksum is not pinned here: pass <c>--sha256</c> to verify a download.
    /// </summary>
    public static KnownModel Quickstart { get; } = new(
        new ModelPullRequest("Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf"),
        SizeBytes: 1_120_000_000,
        License: "Apache-2.0");
}
