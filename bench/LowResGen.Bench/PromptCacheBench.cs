using System.Diagnostics;
using System.Globalization;
using System.Text;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using Microsoft.Extensions.AI;

namespace LowResGen.Bench;

/// <summary>
/// <c>prompt-cache</c>: the embedded backend as a k-shot classifier, with and without reuse of decoded prompts. Every
/// request is the same instructions and demonstrations followed by one text to classify, scored against 7 labels
/// through <see cref="ICompletionScorer"/> (the LLM-as-classifier path), 8 requests in flight. Both runs use the same
/// random-weight model of realistic shape (see <c>embedded</c>) in one process; the ratio of texts per second is the result.
/// </summary>
internal static class PromptCacheBench
{
    private static readonly string[] Labels = ["science/technology", "travel", "politics", "sports", "health", "entertainment", "geography"];

    public static async Task<int> RunAsync(string[] args)
    {
        var texts = BenchSupport.IntArg(args, "--texts", 32);
        var demonstrations = BenchSupport.IntArg(args, "--demonstrations", 14);
        var path = EmbeddedBench.WriteRandomModel(args);
        try
        {
            var prefix = Instructions(demonstrations);
            var without = await ClassifyAsync(path, EmbeddedBench.Threads(args), promptCacheSlots: 0, prefix, texts);
            var with = await ClassifyAsync(path, EmbeddedBench.Threads(args), promptCacheSlots: 4, prefix, texts);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"k-shot prompt of {with.PromptTokens} tokens ({demonstrations} demonstrations), {texts} texts, {Labels.Length} labels, 8 in flight"));
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

    private static async Task<Run> ClassifyAsync(string path, int? threads, int promptCacheSlots, string instructions, int texts)
    {
        using var client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, ContextSize: 2048, ParallelSequences: 8, Threads: threads,
            PromptCacheSlots: promptCacheSlots));
        var scorer = client.GetService<ICompletionScorer>()!;
        ChatMessage[] Chat(int i) => [new(ChatRole.System, instructions), new(ChatRole.User, $"Text: News item number {i} about the day's events.\nTopic:")];

        using var gate = new SemaphoreSlim(8);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, texts).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await scorer.ScoreAsync(Chat(i), Labels, CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }
        }));
        return new Run(client.CountChatTokens(Chat(0)), clock.Elapsed.TotalSeconds, texts, client.Statistics.PromptTokensReused);
    }

    /// <summary>Instructions and k demonstrations, as the LLM classifier writes them (byte-level vocabulary: ~1 token per character).</summary>
    private static string Instructions(int demonstrations)
    {
        var prompt = new StringBuilder("Classify the topic of the text as one of: ").AppendJoin(", ", Labels).AppendLine(". Answer with the topic only.");
        for (var i = 0; i < demonstrations; i++)
        {
            prompt.Append(CultureInfo.InvariantCulture, $"Text: Demonstration sentence {i} about {Labels[i % Labels.Length]}.\nTopic: {Labels[i % Labels.Length]}\n");
        }

        return prompt.ToString();
    }
}
