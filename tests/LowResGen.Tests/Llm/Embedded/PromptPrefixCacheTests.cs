using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.TestSupport.Gguf;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm.Embedded;

public sealed class PromptPrefixCacheTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    // About 120 byte-level tokens of instructions shared by every prompt, like a k-shot classification prompt.
    private const string Instructions =
        "Classify the topic of the text. Examples: 'The match ended 2-1' is sport; 'Parliament voted today' is politics.";

    private static ChatMessage[] Chat(string text) => [new(ChatRole.System, Instructions), new(ChatRole.User, text)];

    private static ChatOptions Greedy(int tokens) => new() { MaxOutputTokens = tokens, Temperature = 0f, Seed = 1 };

    private EmbeddedChatClient Load(int promptCacheSlots, int contextSize = TinyModelFixture.ContextSize, int parallel = TinyModelFixture.ParallelSequences) =>
        EmbeddedChatClient.Load(new EmbeddedModelOptions(model.ModelPath, contextSize, parallel, Threads: 2, PromptCacheSlots: promptCacheSlots));

    [Fact]
    public async Task A_prompt_that_starts_like_a_cached_one_decodes_only_the_rest()
    {
        using var client = Load(promptCacheSlots: 2);
        await client.GetResponseAsync(Chat("Text 1"), Greedy(4));
        Assert.Equal(0, client.Statistics.PromptTokensReused);

        await client.GetResponseAsync(Chat("Text 2"), Greedy(4));

        // Byte-level vocabulary: the prompts differ from the digit on, which is followed by 13 template tokens
        // (<|im_end|>, a newline, <|im_start|> and "assistant\n").
        var promptTokens = client.CountChatTokens(Chat("Text 2"));
        Assert.Equal(promptTokens - 14, client.Statistics.PromptTokensReused);
    }

    [Fact]
    public async Task The_same_prompt_again_decodes_one_token()
    {
        using var client = Load(promptCacheSlots: 2);
        var chat = Chat("Text");
        await client.GetResponseAsync(chat, Greedy(4));
        await client.GetResponseAsync(chat, Greedy(4).WithSampleIndex(1));

        Assert.Equal(client.CountChatTokens(chat) - 1, client.Statistics.PromptTokensReused);
    }

    [Fact]
    public async Task A_burst_of_requests_with_one_prompt_decodes_it_once()
    {
        // All four arrive together: three wait one step for the first one's prompt instead of decoding it alongside.
        using var client = Load(promptCacheSlots: 2);
        var chat = Chat("Text");

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.GetResponseAsync(chat, Greedy(4).WithSampleIndex(i))));

        Assert.Equal(4, answers.Length);
        Assert.Equal(3 * (client.CountChatTokens(chat) - 1), client.Statistics.PromptTokensReused);
    }

    [Fact]
    public async Task Answers_and_scores_are_the_same_with_and_without_the_cache()
    {
        using var cached = Load(promptCacheSlots: 4);
        using var uncached = Load(promptCacheSlots: 0);
        var texts = Enumerable.Range(0, 6).Select(i => $"Text number {i}").ToArray();
        string[] labels = ["sport", "politics", "science"];

        async Task<(string[] Answers, double[][] Scores)> RunAsync(EmbeddedChatClient client)
        {
            var answers = new List<string>();
            foreach (var text in texts)
            {
                answers.Add((await client.GetResponseAsync(Chat(text), Greedy(12))).Text);
            }

            var scorer = client.GetService<ICompletionScorer>()!;
            var scores = await Task.WhenAll(texts.Select(async t => (await scorer.ScoreAsync(Chat(t), labels, CancellationToken.None)).ToArray()));
            return ([.. answers], scores);
        }

        var withCache = await RunAsync(cached);
        var withoutCache = await RunAsync(uncached);

        Assert.True(cached.Statistics.PromptTokensReused > 10 * 100, $"reused {cached.Statistics.PromptTokensReused}");
        Assert.Equal(0, uncached.Statistics.PromptTokensReused);
        Assert.Equal(withoutCache.Answers, withCache.Answers);
        for (var i = 0; i < texts.Length; i++)
        {
            for (var k = 0; k < labels.Length; k++)
            {
                // Batched float arithmetic differs in the last digits; a wrong position or stale KV cell would not.
                Assert.Equal(withoutCache.Scores[i][k], withCache.Scores[i][k], 0.01);
            }
        }
    }

    [Fact]
    public async Task Cached_prompts_give_way_when_the_active_sequences_need_the_KV_cells()
    {
        // 2 sequences of 192 tokens: 384 KV cells. Every prompt is different and ~150 tokens long, so four cached
        // prompts alone would fill the cache; they must be dropped rather than fail the requests.
        using var client = Load(promptCacheSlots: 4, contextSize: 192, parallel: 2);
        var prompts = Enumerable.Range(0, 10)
            .Select(i => new ChatMessage[] { new(ChatRole.System, $"{i} {new string((char)('a' + i), 110)}"), new(ChatRole.User, "Go") })
            .ToArray();

        var answers = await Task.WhenAll(prompts.Select(p => client.GetResponseAsync(p, Greedy(20))));

        Assert.All(answers, a => Assert.False(string.IsNullOrEmpty(a.Text)));
        Assert.Equal(10, client.Statistics.SequencesCompleted);
    }

    [Fact]
    public async Task A_mixed_concurrent_load_with_cancellations_leaves_the_client_healthy()
    {
        // Answers and scores over three shared prefixes, a quarter of them cancelled midway, through a small KV cache:
        // forks, rewinds, evictions and freed sequences interleave; every request must end as asked and the client live on.
        using var client = Load(promptCacheSlots: 2, contextSize: 200, parallel: 3);
        var random = new Random(5);
        string[] prefixes = [new('p', 90), new('q', 60), new('r', 120)];
        var requests = Enumerable.Range(0, 40).Select(async i =>
        {
            var chat = new ChatMessage[] { new(ChatRole.System, prefixes[random.Next(3)]), new(ChatRole.User, $"item {i}") };
            var cancel = i % 4 == 3;
            using var cancellation = new CancellationTokenSource();
            if (cancel)
            {
                cancellation.CancelAfter(TimeSpan.FromMilliseconds(random.Next(1, 30)));
            }

            try
            {
                if (i % 3 == 0)
                {
                    var scores = await client.GetService<ICompletionScorer>()!.ScoreAsync(chat, ["yes", "no", "maybe"], cancellation.Token);
                    Assert.All(scores, score => Assert.True(score < 0 && double.IsFinite(score)));
                }
                else
                {
                    var answer = await client.GetResponseAsync(chat, Greedy(random.Next(1, 30)), cancellation.Token);
                    Assert.InRange(answer.Usage!.OutputTokenCount!.Value, 1, 30);
                }

                return "done";
            }
            catch (OperationCanceledException) when (cancel)
            {
                return "cancelled";
            }
        }).ToArray();

        var outcomes = await Task.WhenAll(requests);

        Assert.Equal(30, outcomes.Where((_, i) => i % 4 != 3).Count(o => o == "done"));
        Assert.True(client.Statistics.PromptTokensReused > 0);
        var after = await client.GetResponseAsync(Chat("After"), Greedy(3));
        Assert.Equal(3, after.Usage!.OutputTokenCount);
    }
}
