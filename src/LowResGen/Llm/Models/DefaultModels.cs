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

    /// <summary>
    /// The default multilingual encoder (<c>encoder:</c> students, curation measures): intfloat's multilingual-e5-small,
    /// 8-bit, as converted by ggml-org for llama.cpp — 118 M parameters, 384 dimensions, about 120 MB, MIT. Chosen for
    /// quality per CPU-second (README, docs/encoders.md): published SIB-200 8-per-label probes give it 67.4 % against 72.1 %
    /// for bge-m3 and 81.6 % for multilingual-e5-large-instruct, at about a fifth of their compute. Not pinned: no published
    /// SHA-256 of this file could be verified offline, so the first pull is trusted as downloaded (pass --sha256 to pin).
    /// </summary>
    public static KnownModel Encoder { get; } = new(
        new ModelPullRequest("ggml-org/multilingual-e5-small-Q8_0-GGUF", "multilingual-e5-small-Q8_0.gguf", Sha256: null),
        SizeBytes: 125_000_000, // approximate (third-party listings say ~120 MB); not verifiable offline
        License: "MIT");

    /// <summary>The models <c>lowresgen models pull NAME</c> knows by name.</summary>
    public static IReadOnlyDictionary<string, KnownModel> ByName { get; } = new Dictionary<string, KnownModel>(StringComparer.OrdinalIgnoreCase)
    {
        ["quickstart"] = Quickstart,
        ["encoder"] = Encoder,
    };
}
