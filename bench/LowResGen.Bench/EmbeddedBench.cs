using System.Diagnostics;
using System.Globalization;
using LowResGen.Llm.Embedded;
using LowResGen.TestSupport.Gguf;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Bench;

/// <summary>
/// <c>embedded</c>: generated tokens per second of the embedded backend with 8 parallel sequences against 1, on a
/// llama-architecture GGUF of realistic layer sizes with random weights (written here; quality is irrelevant to speed).
/// Both are measured on the same loaded model in the same run; the ratio is the result (target at least 3x).
/// Prompts are kept short (about 24 tokens with the chat template) so that the measure is generation, not prompt
/// processing, which is batched within one sequence already and costs the same either way.
/// </summary>
internal static class EmbeddedBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tokens = BenchSupport.IntArg(args, "--tokens", 128);
        var threads = Threads(args);
        var path = WriteRandomModel(args);
        try
        {

            // --log shows llama.cpp's loading lines: which kernels' weight layouts (CPU_REPACK) the model got.
            using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole().SetMinimumLevel(args.Contains("--log") ? LogLevel.Debug : LogLevel.None));
            using var client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, ContextSize: 512, ParallelSequences: 8, Threads: threads), logging.CreateLogger("llama.cpp"));
            await GenerateAsync(client, requests: 1, concurrency: 1, tokens: 8); // warm-up

            var before = client.Statistics;
            var single = await GenerateAsync(client, requests: 2, concurrency: 1, tokens);
            var middle = client.Statistics;
            var batched = await GenerateAsync(client, requests: 8, concurrency: 8, tokens);
            var after = client.Statistics;
            Console.WriteLine($"Decode time per step: 1 sequence {PerStep(before, middle):F1} ms, 8 sequences {PerStep(middle, after):F1} ms");
            Console.WriteLine($"1 sequence : {single.TokensPerSecond,8:F1} generated tokens/s, {single.TokensPerCpuSecond,8:F1} per CPU-second ({single.Tokens} tokens in {single.Seconds:F1} s)");
            Console.WriteLine($"8 sequences: {batched.TokensPerSecond,8:F1} generated tokens/s, {batched.TokensPerCpuSecond,8:F1} per CPU-second ({batched.Tokens} tokens in {batched.Seconds:F1} s, max {client.Statistics.MaxSequencesPerStep} sequences per decode step)");
            var stats = client.Statistics;
            Console.WriteLine($"Decoder: {stats.DecodeSteps} steps, {stats.DecodeTime.TotalSeconds:F1} s in llama.cpp decode, {stats.SamplingTime.TotalSeconds:F1} s sampling");
            var ratio = batched.TokensPerSecond / single.TokensPerSecond;
            var cpuRatio = batched.TokensPerCpuSecond / single.TokensPerCpuSecond;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Ratio 8 vs 1: {ratio:F2}x wall-clock, {cpuRatio:F2}x per CPU-second (target >= 3x wall-clock) {(ratio >= 3 ? "PASS" : "BELOW TARGET")}"));
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>--threads N, or null for the client's default.</summary>
    public static int? Threads(string[] args) => args.Contains("--threads") ? BenchSupport.IntArg(args, "--threads", 0) : null;

    /// <summary>
    /// Writes a random-weight llama model of realistic shape to a temporary file (--type, --layers) and returns its path.
    /// About 125M parameters, the shape of SmolLM-135M class models: 12 layers, 768 wide, 32k vocabulary.
    /// </summary>
    public static string WriteRandomModel(string[] args)
    {
        var spec = new GgufModelSpec
        {
            Layers = BenchSupport.IntArg(args, "--layers", 12),
            EmbeddingSize = 768,
            Heads = 12,
            KvHeads = 4,
            FeedForwardSize = 2048,
            ExtraTokens = 32_000 - 261,
            ContextLength = 2048,
            WeightType = Enum.Parse<GgufWeightType>(BenchSupport.StringArg(args, "--type", nameof(GgufWeightType.Q8_0)), ignoreCase: true),
            Name = "bench-random-llama",
        };
        var path = Path.Combine(Path.GetTempPath(), $"lowresgen-bench-{Guid.NewGuid():N}.gguf");
        var clock = Stopwatch.StartNew();
        TinyGgufWriter.Write(path, spec);
        Console.WriteLine($"Wrote {spec.ParameterCount / 1e6:F0}M-parameter {spec.WeightType} model ({new FileInfo(path).Length / 1e6:F0} MB) in {clock.Elapsed.TotalSeconds:F1} s");
        return path;
    }

    /// <summary>Wall-clock and CPU time: on a shared machine the CPU-time rate shows the work per token, free of other load.</summary>
    private sealed record Throughput(long Tokens, double Seconds, double CpuSeconds)
    {
        public double TokensPerSecond => Tokens / Seconds;

        public double TokensPerCpuSecond => Tokens / CpuSeconds;
    }

    /// <summary>Sends <paramref name="requests"/> requests, at most <paramref name="concurrency"/> at a time.</summary>
    private static async Task<Throughput> GenerateAsync(IChatClient client, int requests, int concurrency, int tokens)
    {
        using var gate = new SemaphoreSlim(concurrency);
        long generated = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(Enumerable.Range(0, requests).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var options = new ChatOptions { MaxOutputTokens = tokens, Seed = i, Temperature = 0.8f };
                var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, $"Go {i}")], options);
                Interlocked.Add(ref generated, response.Usage?.OutputTokenCount ?? 0);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new Throughput(generated, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static double PerStep(EmbeddedStatistics from, EmbeddedStatistics to) =>
        (to.DecodeTime - from.DecodeTime).TotalMilliseconds / Math.Max(1, to.DecodeSteps - from.DecodeSteps);
}
