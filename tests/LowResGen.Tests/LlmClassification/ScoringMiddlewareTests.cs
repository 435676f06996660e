using LowResGen.Data;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.Llm.Middleware;
using LowResGen.LlmClassification;
using LowResGen.Tests.Llm;
using LowResGen.TestSupport.Gguf;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.LlmClassification;

/// <summary>
/// Log-probability scoring through the middleware stack the commands build (<see cref="LlmClientFactory"/>): cached,
/// counted, logged, retried, like chat. The backend is a scripted scorer plugged in as the embedded runtime, or the tiny GGUF.
/// </summary>
public sealed class ScoringMiddlewareTests : IDisposable
{
    private static readonly TaskDefinition Topics = BuiltInTasks.Sib200;
    private static readonly string[] Texts = ["The match ended two all.", "Elections are next week.", "A new phone was released.", "Visit the old town.", "Rain all week."];
    private static readonly LlmClassifierOptions LogProbability = new() { Scoring = LlmScoring.LogProbability, IncludeDescriptions = false };

    private readonly string directory = Directory.CreateTempSubdirectory("lowresgen-scoring-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>A file the factory resolves as an embedded model; the scripted backend never reads it.</summary>
    private string ModelFile()
    {
        var path = Path.Combine(directory, "scripted.gguf");
        File.WriteAllText(path, "weights");
        return path;
    }

    private static LlmClientFactory Factory(Func<IChatClient> backend, string? cachePath, CapturingLoggerFactory? logs = null) => new(new LlmClientOptions
    {
        CachePath = cachePath,
        EmbeddedBackend = (_, _) => backend(),
        LoggerFactory = logs,
        Retry = LlmTestKit.FastRetry,
    });

    [Fact]
    public async Task A_second_run_replays_every_score_from_the_cache_with_identical_predictions()
    {
        var cache = Path.Combine(directory, "cache.sqlite");
        var model = ModelFile();
        var demonstrations = DemonstrationSampler.Sample(LlmClassifierTests.Pool(Topics, 2), Topics, 1, seed: 0);

        var first = new ScriptedScorer();
        IReadOnlyList<LlmPrediction> before;
        var firstFactory = Factory(() => first, cache);
        using (var client = firstFactory.Create(model))
        {
            before = await new LlmClassifier(client, Topics, LogProbability).ClassifyAsync(Texts, demonstrations, null, CancellationToken.None);
        }

        var second = new ScriptedScorer();
        IReadOnlyList<LlmPrediction> after;
        var secondFactory = Factory(() => second, cache);
        using (var client = secondFactory.Create(model))
        {
            after = await new LlmClassifier(client, Topics, LogProbability).ClassifyAsync(Texts, demonstrations, null, CancellationToken.None);
        }

        Assert.Equal(Texts.Length, first.Scored);
        Assert.Equal(0, second.Scored);
        Assert.Equal(before.Select(p => p.Label), after.Select(p => p.Label));
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(before[i].Scores, after[i].Scores); // exact: the stored doubles round-trip
        }

        Assert.Equal((Texts.Length, 0L), (firstFactory.Usage.Succeeded, firstFactory.Usage.Cached));
        Assert.Equal((0L, (long)Texts.Length), (secondFactory.Usage.Succeeded, secondFactory.Usage.Cached));
    }

    [Fact]
    public async Task Scores_are_cached_per_candidate_list_and_infinite_scores_survive_the_cache()
    {
        var cache = Path.Combine(directory, "cache.sqlite");
        var model = ModelFile();
        var chat = new[] { new ChatMessage(ChatRole.User, "Topic?") };
        var backend = new ScriptedScorer { Score = (_, candidate) => candidate == "never" ? double.NegativeInfinity : -candidate.Length };

        using (var client = Factory(() => backend, cache).Create(model))
        {
            var scorer = client.GetService<ICompletionScorer>()!;
            await scorer.ScoreAsync(chat, ["yes", "never"], CancellationToken.None);
            await scorer.ScoreAsync(chat, ["yes", "no"], CancellationToken.None); // other candidates: another key
            await scorer.ScoreAsync(chat, ["yes", "never"], CancellationToken.None);
        }

        using var replay = Factory(() => new ScriptedScorer(), cache).Create(model);
        var replayed = await replay.GetService<ICompletionScorer>()!.ScoreAsync(chat, ["yes", "never"], CancellationToken.None);

        Assert.Equal(2, backend.Scored);
        Assert.Equal(new[] { -3.0, double.NegativeInfinity }, replayed);
        Assert.True(Assert.IsType<CompletionScores>(replayed).IsCacheHit());
    }

    [Fact]
    public async Task Usage_counts_each_scoring_call_and_the_prompt_tokens_the_models_counter_gives()
    {
        var backend = new ScriptedScorer();
        var factory = Factory(() => backend, cachePath: null);
        using var client = factory.Create(ModelFile());
        var counting = new TokenCountingChatClient(client); // what a study's classify cell wraps the shared client in

        var predictions = await new LlmClassifier(counting, Topics, LogProbability).ClassifyAsync(Texts, [], null, CancellationToken.None);

        var usage = Assert.Single(factory.Usage.Models);
        Assert.Equal(Texts.Length, predictions.Count(p => p.IsMapped));
        Assert.Equal((Texts.Length, (long)Texts.Length, 0L), (usage.Requests, usage.Succeeded, usage.Failed));
        Assert.True(backend.PromptTokens > 0);
        Assert.Equal((backend.PromptTokens, 0L), (usage.InputTokens, usage.OutputTokens));
        Assert.Equal((Texts.Length, backend.PromptTokens), (counting.Calls, counting.Tokens));
    }

    [Fact]
    public async Task Tokens_a_backend_reports_are_counted_and_stored_so_a_replayed_cell_reports_them_too()
    {
        var cache = Path.Combine(directory, "cache.sqlite");
        var model = ModelFile();
        var reporting = () => new ScriptedScorer { ReportedTokens = 17 };

        var live = Factory(reporting, cache);
        long liveTokens;
        using (var client = live.Create(model))
        {
            var counting = new TokenCountingChatClient(client);
            await new LlmClassifier(counting, Topics, LogProbability).ClassifyAsync(Texts, [], null, CancellationToken.None);
            liveTokens = counting.Tokens;
        }

        var replayed = Factory(reporting, cache);
        using (var client = replayed.Create(model))
        {
            var counting = new TokenCountingChatClient(client);
            await new LlmClassifier(counting, Topics, LogProbability).ClassifyAsync(Texts, [], null, CancellationToken.None);
            Assert.Equal((Texts.Length, liveTokens), (counting.Calls, counting.Tokens));
        }

        Assert.Equal(17L * Texts.Length, liveTokens);
        Assert.Equal(17L * Texts.Length, live.Usage.Models.Single().InputTokens);
        Assert.Equal(0L, replayed.Usage.Models.Single().InputTokens); // cached scorings cost nothing
    }

    [Fact]
    public async Task An_unusable_score_vector_is_retried_and_counted_as_a_retry()
    {
        var backend = new ScriptedScorer { FailFirst = 1 };
        var factory = Factory(() => backend, cachePath: null);
        using var client = factory.Create(ModelFile());

        var predictions = await new LlmClassifier(client, Topics, LogProbability with { MaxConcurrency = 1 }).ClassifyAsync(Texts[..2], [], null, CancellationToken.None);

        Assert.All(predictions, p => Assert.True(p.IsMapped));
        Assert.Equal(3, backend.Scored); // the NaN vector, then one good vector per text
        var usage = factory.Usage.Models.Single();
        Assert.Equal((2L, 2L, 1L), (usage.Requests, usage.Succeeded, usage.Retries));
    }

    [Fact]
    public async Task Scoring_is_logged_with_key_shaped_text_redacted()
    {
        var logs = new CapturingLoggerFactory();
        using var client = Factory(() => new ScriptedScorer(), cachePath: null, logs).Create(ModelFile());
        var key = "sk-" + Guid.NewGuid().ToString("N");

        await new LlmClassifier(client, Topics, LogProbability).ClassifyAsync([$"my key is {key}"], [], null, CancellationToken.None);

        Assert.Contains($"scored {Topics.Labels.Count} candidates", logs.AllText);
        Assert.Contains("scoring request", logs.AllText);
        Assert.Contains(SecretRedactor.Mask, logs.AllText);
        Assert.DoesNotContain(key, logs.AllText);
    }

    [Fact]
    public async Task A_backend_without_a_scorer_still_says_so_through_the_stack()
    {
        using var client = Factory(() => new ScriptedChatClient((_, _) => "sport"), Path.Combine(directory, "cache.sqlite")).Create(ModelFile());

        Assert.Null(client.GetService<ICompletionScorer>());
        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            new LlmClassifier(client, Topics, LogProbability).ClassifyAsync(Texts, [], null, CancellationToken.None));
        Assert.Contains("does not expose log-probabilities", error.Message);
    }

    [Fact]
    public async Task The_concurrency_layer_holds_scoring_calls_to_its_limit()
    {
        var backend = new ScriptedScorer { Delay = TimeSpan.FromMilliseconds(20) };
        using var client = new ChatClientBuilder(backend).UseLowResGenConcurrency(new ConcurrencyOptions { InitialLimit = 2 }).Build();

        var predictions = await new LlmClassifier(client, Topics, LogProbability with { MaxConcurrency = 8 }).ClassifyAsync(
            [.. Enumerable.Range(0, 16).Select(i => $"text {i}")], [], null, CancellationToken.None);

        Assert.Equal(16, backend.Scored);
        Assert.All(predictions, p => Assert.True(p.IsMapped));
        Assert.InRange(backend.Peak, 1, 2); // 8 asked at once, 2 let through
    }

    [Fact]
    public async Task The_embedded_backend_scores_through_the_whole_stack_exactly_as_when_called_directly()
    {
        var model = Path.Combine(directory, "tiny.gguf");
        TinyGgufWriter.Write(model);
        var embedded = LlmClientOptions.Embedded(path => new EmbeddedModelOptions(path, ContextSize: 1024, ParallelSequences: 2, Threads: 2));
        // One request at a time: each is decoded alone, so the float arithmetic of both runs is the same.
        var options = LogProbability with { MaxConcurrency = 1 };
        var task = BuiltInTasks.Sentiment;

        IReadOnlyList<LlmPrediction> direct;
        using (var backend = EmbeddedChatClient.Load(new EmbeddedModelOptions(model, ContextSize: 1024, ParallelSequences: 2, Threads: 2)))
        {
            direct = await new LlmClassifier(backend, task, options).ClassifyAsync(Texts, [], null, CancellationToken.None);
        }

        var factory = new LlmClientFactory(new LlmClientOptions { CachePath = Path.Combine(directory, "cache.sqlite"), EmbeddedBackend = embedded });
        IReadOnlyList<LlmPrediction> stacked;
        IReadOnlyList<LlmPrediction> replayed;
        using (var client = factory.Create(model))
        {
            stacked = await new LlmClassifier(client, task, options).ClassifyAsync(Texts, [], null, CancellationToken.None);
            replayed = await new LlmClassifier(client, task, options).ClassifyAsync(Texts, [], null, CancellationToken.None);
        }

        Assert.Equal(direct.Select(p => p.Label), stacked.Select(p => p.Label));
        for (var i = 0; i < Texts.Length; i++)
        {
            foreach (var label in task.Labels)
            {
                Assert.Equal(direct[i].Scores[label], stacked[i].Scores[label], 12);
            }

            Assert.Equal(stacked[i].Scores, replayed[i].Scores);
        }

        var usage = factory.Usage.Models.Single();
        Assert.Equal((2L * Texts.Length, (long)Texts.Length, (long)Texts.Length), (usage.Requests, usage.Succeeded, usage.Cached));
        // The backend reports what it read: each prompt plus every label's tokens (more than one per label).
        Assert.True(usage.InputTokens > Texts.Length * task.Labels.Count * 2, $"{usage.InputTokens} tokens");
        Assert.Equal(0L, usage.OutputTokens);
    }

    /// <summary>
    /// A backend that only scores: a deterministic score per (text, candidate), the prompt's "tokens" counted as its
    /// characters, and optionally a NaN vector for the first calls (an unusable answer) or tokens reported with the scores.
    /// </summary>
    private sealed class ScriptedScorer : IChatClient, ICompletionScorer, ITokenCounter
    {
        private int scored;
        private long promptTokens;
        private int inFlight;
        private int peak;

        public Func<string, string, double> Score { get; init; } = (text, candidate) => -((text.Length * 31 + candidate.Length * 7 + candidate[0]) % 17) / 3.0;

        public int FailFirst { get; init; }

        public long? ReportedTokens { get; init; }

        /// <summary>How long each scoring takes (zero: it completes at once).</summary>
        public TimeSpan Delay { get; init; }

        /// <summary>Most scorings in flight at once.</summary>
        public int Peak => Volatile.Read(ref peak);

        public int Scored => Volatile.Read(ref scored);

        /// <summary>Prompt tokens of the good score vectors returned.</summary>
        public long PromptTokens => Interlocked.Read(ref promptTokens);

        public int ContextLength => 1 << 20;

        public int CountChatTokens(IEnumerable<ChatMessage> messages) => messages.Sum(m => m.Text.Length);

        public async Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            try
            {
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, cancellationToken);
                }

                if (Interlocked.Increment(ref scored) <= FailFirst)
                {
                    return [.. candidates.Select(_ => double.NaN)];
                }

                Interlocked.Add(ref promptTokens, CountChatTokens(messages));
                var text = messages[^1].Text;
                double[] scores = [.. candidates.Select(c => Score(text, c))];
                return ReportedTokens is { } tokens ? new CompletionScores(scores) { Usage = new UsageDetails { InputTokenCount = tokens } } : scores;
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("this backend only scores");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("this backend only scores");

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
