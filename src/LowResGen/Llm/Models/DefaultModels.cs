namespace LowResGen.Llm.Models;

/// <summary>A model the documentation and the quickstart refer to by name.</summary>
/// <param name="Pull">Where to download it from.</param>
/// <param name="SizeBytes">Download size in bytes.</param>
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
    /// about 1.1 GB, runs on a laptop CPU. The SHA-256 is pinned, so a changed or corrupted file is never used: it is
    /// the hash Hugging Face lists for this file, as recorded independently by several public projects that pin it.
    /// </summary>
    public static KnownModel Quickstart { get; } = new(
        new ModelPullRequest("Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf",
            Sha256: "6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e"),
        SizeBytes: 1_117_320_736,
        License: "Apache-2.0");
}
