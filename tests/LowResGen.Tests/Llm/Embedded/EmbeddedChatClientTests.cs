using System.Text.Json;
using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.TestSupport.Gguf;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm.Embedded;

public sealed class EmbeddedChatClientTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    private readonly EmbeddedChatClient _client = model.Client;

    private static ChatMessage[] Chat(string text) => [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];

    /// <summary>Letters only and at least <paramref name="length"/> of them: the random model cannot stop early.</summary>
    private static ChatOptions Letters(int length, int maxTokens, long seed = 7) =>
        new ChatOptions { MaxOutputTokens = maxTokens, Seed = seed, Temperature = 1f }.WithGrammar($"root ::= [a-z]{{{length}}}");

    [Fact]
    public async Task AnswersAChatAndReportsUsage()
    {
        var messages = Chat("Hello there");
        var response = await _client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 16, Seed = 1 });

        Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.Equal(_client.CountChatTokens(messages), response.Usage!.InputTokenCount);
        Assert.InRange(response.Usage.OutputTokenCount!.Value, 1, 16);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        Assert.True(response.FinishReason == ChatFinishReason.Length || response.FinishReason == ChatFinishReason.Stop);
    }

    [Fact]
    public async Task StopsAtMaxOutputTokensWithFinishReasonLength()
    {
        var response = await _client.GetResponseAsync(Chat("Write a lot"), Letters(length: 40, maxTokens: 5));

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(5, response.Usage!.OutputTokenCount);
        Assert.Matches("^[a-z]{5}$", response.Text);
    }

    [Fact]
    public async Task CutsTheAnswerAtAStopSequence()
    {
        var options = new ChatOptions { MaxOutputTokens = 40, StopSequences = ["STOP"] }.WithGrammar("root ::= \"abc STOP def\"");
        var response = await _client.GetResponseAsync(Chat("Say it"), options);

        Assert.Equal("abc ", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task SameSeedGivesTheSameAnswerAndAnotherSeedAnother()
    {
        var first = await _client.GetResponseAsync(Chat("Tell me"), Letters(20, 20, seed: 42));
        var again = await _client.GetResponseAsync(Chat("Tell me"), Letters(20, 20, seed: 42));
        var other = await _client.GetResponseAsync(Chat("Tell me"), Letters(20, 20, seed: 43));
        var secondSample = await _client.GetResponseAsync(Chat("Tell me"), Letters(20, 20, seed: 42).WithSampleIndex(1));

        Assert.Matches("^[a-z]{20}$", first.Text);
        Assert.Equal(first.Text, again.Text);
        Assert.NotEqual(first.Text, other.Text);
        Assert.NotEqual(first.Text, secondSample.Text);
    }

    [Fact]
    public async Task ConcurrentRequestsAreDecodedTogetherInOneBatch()
    {
        var requests = Enumerable.Range(0, 6)
            .Select(i => _client.GetResponseAsync(Chat($"Request {i}"), Letters(30, 30, seed: i)))
            .ToArray();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Matches("^[a-z]{30}$", r.Text));
        Assert.InRange(_client.Statistics.MaxSequencesPerStep, 2, TinyModelFixture.ParallelSequences);
    }

    [Fact]
    public async Task ChoicesRestrictTheAnswerToOneOfThem()
    {
        string[] labels = ["positive", "negative", "neutral \"quoted\""];
        for (var seed = 0; seed < 4; seed++)
        {
            var options = new ChatOptions { Seed = seed, MaxOutputTokens = 40, Temperature = 1.5f }.WithChoices(labels);
            var response = await _client.GetResponseAsync(Chat("Classify: great film"), options);

            Assert.Contains(response.Text, labels);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        }
    }

    [Fact]
    public async Task JsonSchemaResponseFormatGivesMatchingJson()
    {
        var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"label":{"enum":["sport","politics"]},"score":{"type":"integer"},"ok":{"type":"boolean"}}}
            """).RootElement;
        var options = new ChatOptions { Seed = 3, MaxOutputTokens = 120, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) };
        var response = await _client.GetResponseAsync(Chat("Classify"), options);

        using var json = JsonDocument.Parse(response.Text);
        Assert.Contains(json.RootElement.GetProperty("label").GetString(), new[] { "sport", "politics" });
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("score").ValueKind);
        Assert.True(json.RootElement.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Fact]
    public void CountsTokensOfTheTemplatedChat()
    {
        var counter = _client.GetService<ITokenCounter>();

        Assert.NotNull(counter);
        Assert.Equal(TinyModelFixture.ContextSize, counter.ContextLength);
        // BOS + "<|im_start|>" + "user\n" + "hi" + "<|im_end|>" + "\n" + "<|im_start|>" + "assistant\n" (byte tokens).
        Assert.Equal(1 + 1 + 5 + 2 + 1 + 1 + 1 + 10, counter.CountChatTokens([new ChatMessage(ChatRole.User, "hi")]));
        Assert.Equal(counter.CountChatTokens([new ChatMessage(ChatRole.User, "hi")]) + 3,
            counter.CountChatTokens([new ChatMessage(ChatRole.User, "hi!!!")]));
    }

    [Fact]
    public async Task ScorerGivesConsistentLogProbabilities()
    {
        var scorer = _client.GetService<ICompletionScorer>();
        Assert.NotNull(scorer);
        var messages = Chat("Pick a letter");
        var printable = Enumerable.Range(32, 95).Select(c => ((char)c).ToString()).ToArray();

        var scores = await scorer.ScoreAsync(messages, [.. printable, "a"], CancellationToken.None);

        Assert.Equal(printable.Length + 1, scores.Count);
        Assert.All(scores, s => Assert.True(double.IsFinite(s) && s < 0, $"score {s}"));
        Assert.Equal(scores[printable.Length], scores[Array.IndexOf(printable, "a")], 3);
        // The single-character answers exclude each other, so their probabilities sum to at most 1.
        Assert.InRange(scores.Take(printable.Length).Sum(Math.Exp), 0.0, 1.0 + 1e-6);
        Assert.True(scores.Distinct().Count() > printable.Length / 2);
    }

    [Fact]
    public async Task ScoringCandidatesTogetherEqualsScoringEachAlone()
    {
        var scorer = _client.GetService<ICompletionScorer>()!;
        string[] candidates = ["sport", "politics", "x", "science and technology"];

        var together = await scorer.ScoreAsync(Chat("Topic?"), candidates, CancellationToken.None);
        var concurrent = await Task.WhenAll(candidates.Select(c => scorer.ScoreAsync(Chat("Topic?"), [c], CancellationToken.None)));

        // Batched float arithmetic differs in the last digits; a wrong position or a stale KV cache would not.
        for (var i = 0; i < candidates.Length; i++)
        {
            Assert.Equal(together[i], concurrent[i].Single(), 0.01);
        }
    }

    [Fact]
    public async Task CancellationStopsAGenerationMidway()
    {
        // A model and client of their own with room for 8,000 forced letters, so the answer cannot finish before the
        // test cancels it: cancelling on a timer raced the decoder when a loaded machine fired the timer late.
        var path = Path.Combine(Path.GetTempPath(), $"lowresgen-long-{Guid.NewGuid():N}.gguf");
        try
        {
            TinyGgufWriter.Write(path, new GgufModelSpec { ContextLength = 8192 });
            using var client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, ContextSize: 8192, ParallelSequences: 1, Threads: 2));
            using var cancellation = new CancellationTokenSource();
            // A grammar that never completes: the model cannot end the answer before 8,000 tokens.
            var endless = new ChatOptions { MaxOutputTokens = 8000, Seed = 7 }.WithGrammar("root ::= [a-z] root");
            var generation = client.GetResponseAsync(Chat("Long"), endless, cancellation.Token);
            while (client.Statistics.DecodeSteps < 3 && !generation.IsCompleted)
            {
                await Task.Delay(1);
            }

            Assert.False(generation.IsCompleted, "the generation was still running when it was cancelled");
            cancellation.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generation);

            // The cancelled sequence left the batch: the client answers the next request and did not decode the rest.
            var after = await client.GetResponseAsync(Chat("Short"), Letters(3, 3));
            Assert.Equal(3, after.Text.Length);
            Assert.InRange(client.Statistics.DecodeSteps, 3, 4000);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("root ::= [")]
    [InlineData("answer ::= \"yes\"")]
    [InlineData("root ::= [a-z]{8000}")]
    public async Task AGrammarLlamaCppRejectsFailsThatRequestOnly(string grammar)
    {
        // Handed to llama.cpp unchecked, these crash the process at the first sampled token.
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _client.GetResponseAsync(Chat("Hi"), new ChatOptions { MaxOutputTokens = 4 }.WithGrammar(grammar)));
        Assert.Contains("rejected the grammar", error.Message);

        var after = await _client.GetResponseAsync(Chat("Hi"), Letters(3, 3));
        Assert.Matches("^[a-z]{3}$", after.Text);
    }

    [Fact]
    public async Task PromptLongerThanTheContextIsRejectedClearly()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _client.GetResponseAsync(Chat(new string('x', 400))));

        Assert.Contains("context", error.Message);
    }

    [Fact]
    public async Task StreamingReturnsTheSameText()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in _client.GetStreamingResponseAsync(Chat("Stream"), Letters(8, 8, seed: 5)))
        {
            updates.Add(update);
        }

        var response = await _client.GetResponseAsync(Chat("Stream"), Letters(8, 8, seed: 5));
        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
    }
}
