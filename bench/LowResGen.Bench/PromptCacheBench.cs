using System.Diagnostics;
using System.Globalization;
using LowResGen.Data;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.LlmClassification;
using Microsoft.Extensions.AI;

namespace LowResGen.Bench;

/// <summary>
/// <c>prompt-cache</c>: the embedded backend as a k-shot classifier, with and without reuse of decoded prompts. Every
/// request is the LLM classifier's own prompt (<see cref="ClassificationPrompt"/> for SIB-200: instructions, then the
/// demonstrations as user/assistant turns) followed by one text, scored against the 7 topics through
/// <see cref="ICompletionScorer"/> (the LLM-as-classifier path), 8 requests in flight. Both runs use the same
/// random-weight model of realistic shape (see <c>embedded</c>) in one process; the ratio of texts per second is the result.
/// </summary>
internal static class PromptCacheBench
{
    private static readonly TaskDefinition Topics = BuiltInTasks.Sib200;

    public static async Task<int> RunAsync(string[] args)
    {
        var texts = BenchSupport.IntArg(args, "--texts", 32);
        var demonstrations = BenchSupport.IntArg(args, "--demonstrations", 7);
        var path = EmbeddedBench.WriteRandomModel(args);
        try
        {
            var demos = Demonstrations(demonstrations);
            var without = await ClassifyAsync(path, EmbeddedBench.Threads(args), promptCacheSlots: 0, demos, texts);
            var with = await ClassifyAsync(path, EmbeddedBench.Threads(args), promptCacheSlots: 4, demos, texts);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"k-shot prompt of {with.PromptTokens} tokens ({demonstrations} demonstrations), {texts} texts, {Topics.Labels.Count} labels, 8 in flight"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"without prompt reuse: {without.TextsPerSecond,7:F2} texts/s ({without.Seconds:F1} s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"with prompt reuse   : {with.TextsPerSecond,7:F2} texts/s ({with.Seconds:F1} s, {with.ReusedTokens} prompt tokens not decoded)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Ratio: {with.TextsPerSecond / without.TextsPerSecond:F2}x"));
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed record Run(int PromptTokens, double Seconds, int Texts, long ReusedTokens)
    {
        public double TextsPerSecond => Texts / Seconds;
    }

    private static async Task<Run> ClassifyAsync(string path, int? threads, int promptCacheSlots, IReadOnlyList<Example> demonstrations, int texts)
    {
        using var client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, ContextSize: 2048, ParallelSequences: 8, Threads: threads,
            PromptCacheSlots: promptCacheSlots));
        var scorer = client.GetService<ICompletionScorer>()!;
        var prompt = new ClassificationPrompt(Topics);
        IReadOnlyList<ChatMessage> Chat(int i) => prompt.Build(demonstrations, $"News item number {i} about the day's events.");

        using var gate = new SemaphoreSlim(8);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, texts).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await scorer.ScoreAsync(Chat(i), Topics.Labels, CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new Run(client.CountChatTokens(Chat(0)), clock.Elapsed.TotalSeconds, texts, client.Statistics.PromptTokensReused);
    }

    /// <summary>k demonstrations cycling through the labels (byte-level vocabulary: about one token per character).</summary>
    private static Example[] Demonstrations(int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
            new Example($"d{i}", $"Demonstration sentence {i} about {Topics.Labels[i % Topics.Labels.Count]}.", Topics.Labels[i % Topics.Labels.Count], "en", "train", "bench"))];
}
