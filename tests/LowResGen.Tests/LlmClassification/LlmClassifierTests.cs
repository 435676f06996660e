using LowResGen.Data;
using LowResGen.Llm;
using LowResGen.LlmClassification;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.LlmClassification;

public sealed class LlmClassifierTests
{
    private static readonly TaskDefinition Sentiment = BuiltInTasks.Sentiment;

    internal static IReadOnlyList<Example> Pool(TaskDefinition task, int perLabel) =>
        [.. task.Labels.SelectMany(label => Enumerable.Range(0, perLabel)
            .Select(i => new Example($"{label}-{i}", $"demo text {i} about {label}", label, "en", Splits.Train, "test")))];

    private static int DemonstrationCount(IReadOnlyList<ChatMessage> messages, string label) =>
        messages.Count(m => m.Role == ChatRole.Assistant && m.Text == label);

    [Fact]
    public void K_shot_draws_exactly_k_per_label_and_respects_the_seed()
    {
        var task = BuiltInTasks.Sib200;
        var pool = Pool(task, 20);
        var first = DemonstrationSampler.Sample(pool, task, 5, seed: 1);
        var again = DemonstrationSampler.Sample(pool, task, 5, seed: 1);
        var other = DemonstrationSampler.Sample(pool, task, 5, seed: 2);

        Assert.All(task.Labels, label => Assert.Equal(5, first.Count(e => e.Label == label)));
        Assert.Equal(first.Select(e => e.Id), again.Select(e => e.Id));
        Assert.NotEqual(first.Select(e => e.Id), other.Select(e => e.Id));

        var messages = new ClassificationPrompt(task).Build(first, "the text");
        Assert.All(task.Labels, label => Assert.Equal(5, DemonstrationCount(messages, label)));
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal(ClassificationPrompt.UserMessage("the text"), messages[^1].Text);
        Assert.Equal(2 + 2 * 5 * task.Labels.Count, messages.Count);
    }

    [Fact]
    public void Too_few_demonstrations_for_a_label_is_a_clear_error()
    {
        var pool = Pool(Sentiment, 3).Where(e => e.Label == "positive" || e.Id == "negative-0").ToArray();
        var error = Assert.Throws<ArgumentException>(() => DemonstrationSampler.Sample(pool, Sentiment, 2, seed: 0));
        Assert.Contains("negative has 1", error.Message);
    }

    [Fact]
    public async Task Free_text_answers_are_mapped_and_unmappable_ones_are_kept_as_null()
    {
        var client = new ScriptedChatClient((messages, _) => messages[^1].Text switch
        {
            "Text: great" => "I would say this is Positive.",
            "Text: awful" => "NEGATIVE",
            _ => "I cannot tell.",
        });
        var classifier = new LlmClassifier(client, Sentiment, new LlmClassifierOptions { Constrained = ConstrainedOutput.Off });

        var predictions = await classifier.ClassifyAsync(["great", "awful", "hmm"], [], null, CancellationToken.None);

        Assert.Equal(["positive", "negative", null], predictions.Select(p => p.Label));
        Assert.False(predictions[2].IsMapped);
        Assert.Equal("I cannot tell.", predictions[2].Answer);
        Assert.All(client.Requests, r => Assert.Null(r.Options.GetChoices()));
    }

    [Fact]
    public async Task Auto_constraint_sends_the_labels_as_choices()
    {
        var client = new ScriptedChatClient((_, options) => options.GetChoices()![1]);
        var classifier = new LlmClassifier(client, Sentiment);

        var predictions = await classifier.ClassifyAsync(["a", "b"], [], null, CancellationToken.None);

        Assert.All(predictions, p => Assert.Equal("positive", p.Label));
        var options = client.Requests.First().Options;
        Assert.Equal(Sentiment.Labels, options.GetChoices());
        Assert.Equal(0f, options!.Temperature);
    }

    [Fact]
    public async Task Json_schema_mode_asks_for_an_enum_and_reads_the_label_property()
    {
        var client = new ScriptedChatClient((_, _) => "{\"label\": \"negative\"}");
        var classifier = new LlmClassifier(client, Sentiment, new LlmClassifierOptions { Constrained = ConstrainedOutput.JsonSchema });

        var predictions = await classifier.ClassifyAsync(["x"], Pool(Sentiment, 1), null, CancellationToken.None);

        Assert.Equal("negative", predictions[0].Label);
        var request = client.Requests.Single();
        var format = Assert.IsType<ChatResponseFormatJson>(request.Options!.ResponseFormat);
        Assert.Contains("\"enum\":[\"negative\",\"positive\"]", format.Schema!.Value.GetRawText());
        Assert.Contains(request.Messages, m => m.Role == ChatRole.Assistant && m.Text == "{\"label\":\"positive\"}");
    }

    [Fact]
    public async Task Log_probability_scoring_picks_the_best_label_without_generating()
    {
        var client = new ScoringChatClient(candidates => candidates.Select(c => c == "positive" ? -0.5 : -2.0).ToArray());
        var classifier = new LlmClassifier(client, Sentiment, new LlmClassifierOptions { Scoring = LlmScoring.LogProbability });

        var predictions = await classifier.ClassifyAsync(["x", "y"], [], null, CancellationToken.None);

        Assert.All(predictions, p => Assert.Equal("positive", p.Label));
        Assert.Equal(1 / (1 + Math.Exp(-1.5)), predictions[0].Scores["positive"], 9);
        Assert.Equal(0, client.Generated);
    }

    [Fact]
    public async Task Log_probability_scoring_without_a_scorer_says_so()
    {
        var classifier = new LlmClassifier(new ScriptedChatClient((_, _) => "positive"), Sentiment,
            new LlmClassifierOptions { Scoring = LlmScoring.LogProbability });
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => classifier.ClassifyAsync(["x"], [], null, CancellationToken.None));
        Assert.Contains("log-probabilities", error.Message);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_fails_before_any_request()
    {
        var client = new CountingChatClient(contextLength: 800);
        var classifier = new LlmClassifier(client, Sentiment);

        var zeroShot = await classifier.ClassifyAsync(["short"], [], null, CancellationToken.None);
        Assert.Single(zeroShot);
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            classifier.ClassifyAsync(["short"], DemonstrationSampler.Sample(Pool(Sentiment, 10), Sentiment, 10, 0), null, CancellationToken.None));
        Assert.Contains("context is 800", error.Message);
        Assert.Equal(1, client.Calls);
    }

    /// <summary>Counts a token per character and answers "positive".</summary>
    private sealed class CountingChatClient(int contextLength) : IChatClient, ITokenCounter
    {
        public int Calls { get; private set; }

        public int ContextLength => contextLength;

        public int CountChatTokens(IEnumerable<ChatMessage> messages) => messages.Sum(m => m.Text.Length);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "positive")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Requests_run_concurrently_but_never_beyond_the_bound()
    {
        var client = new SlowChatClient();
        var classifier = new LlmClassifier(client, Sentiment, new LlmClassifierOptions { MaxConcurrency = 3 });

        var texts = Enumerable.Range(0, 24).Select(i => $"t{i}").ToArray();
        var predictions = await classifier.ClassifyAsync(texts, [], null, CancellationToken.None);

        Assert.Equal(24, predictions.Count);
        Assert.InRange(client.Peak, 2, 3);
    }

    /// <summary>Answers "positive" after a short asynchronous wait, recording the most requests in flight at once.</summary>
    private sealed class SlowChatClient : IChatClient
    {
        private int inFlight;
        private int peak;

        public int Peak => Volatile.Read(ref peak);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var now = Interlocked.Increment(ref inFlight);
            int current;
            while (now > (current = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, current) != current)
            {
            }

            await Task.Delay(20, cancellationToken);
            Interlocked.Decrement(ref inFlight);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "positive"));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>A client that only offers log-probability scoring, and counts any generation it is asked for.</summary>
    private sealed class ScoringChatClient(Func<IReadOnlyList<string>, double[]> score) : IChatClient, ICompletionScorer
    {
        public int Generated { get; private set; }

        public Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<double>>(score(candidates));

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Generated++;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
