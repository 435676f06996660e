using LowResGen.Bench;

// One console app for all benchmarks: the first argument names the benchmark.
var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["fasttext"] = FastTextBenchmark.RunAsync,
    ["embedded"] = EmbeddedBench.RunAsync,
    ["prompt-cache"] = PromptCacheBench.RunAsync,
    ["served"] = ServedBench.RunAsync,
    ["curation"] = CurationBench.RunAsync,
    ["settings"] = SettingsBench.RunAsync,
    ["encoders"] = EncoderBench.RunAsync,
    ["students"] = StudentsBench.RunAsync,
    ["many-labels"] = ManyLabelsBench.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: LowResGen.Bench <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}

return await run(args[1..]);
