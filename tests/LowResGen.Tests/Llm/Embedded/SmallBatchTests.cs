using LowResGen.Llm;
using LowResGen.Llm.Embedded;
using LowResGen.TestSupport.Gguf;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Llm.Embedded;

/// <summary>Prompts longer than the batch size are split over several decode steps, interleaved with other sequences.</summary>
public sealed class SmallBatchTests
{
    [Fact]
    public async Task PromptsLongerThanTheBatchAreDecodedInChunksAlongsideOtherRequests()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lowresgen-tiny-{Guid.NewGuid():N}.gguf");
        try
        {
            TinyGgufWriter.Write(path, new GgufModelSpec { Seed = 99 });
            using var client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, ContextSize: 256, ParallelSequences: 3, Threads: 1, BatchSize: 16));
            var prompts = new[] { new string('a', 90), "short", new string('b', 40) };
            var options = new ChatOptions { MaxOutputTokens = 6, Seed = 1 }.WithGrammar("root ::= [a-z]{6}");

            var responses = await Task.WhenAll(prompts.Select(p => client.GetResponseAsync([new ChatMessage(ChatRole.User, p)], options)));

            for (var i = 0; i < prompts.Length; i++)
            {
                Assert.Equal(client.CountChatTokens([new ChatMessage(ChatRole.User, prompts[i])]), responses[i].Usage!.InputTokenCount);
                Assert.Matches("^[a-z]{6}$", responses[i].Text);
            }

            // The 90-character prompt alone needs 7 batches of 16 tokens; all 3 sequences shared steps.
            Assert.True(client.Statistics.DecodeSteps >= 7);
            Assert.InRange(client.Statistics.MaxSequencesPerStep, 2, 3);
            Assert.Equal(3, client.Statistics.SequencesCompleted);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
