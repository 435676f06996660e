using LowResGen.Data;
using LowResGen.Llm.Embedded;
using LowResGen.LlmClassification;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.LlmClassification;

/// <summary>Classification end to end on the tiny random GGUF: the weights are noise, so only the constraints make the answers labels.</summary>
public sealed class EmbeddedClassificationTests(EmbeddedClassificationTests.Model model) : IClassFixture<EmbeddedClassificationTests.Model>
{
    private static readonly string[] Texts = ["Mae'r tywydd yn braf heddiw.", "The match ended two all.", "Elections are next week.", "Visit the old town."];

    [Fact]
    public async Task Constrained_generation_answers_with_a_label_every_time()
    {
        var task = BuiltInTasks.Sib200;
        var classifier = new LlmClassifier(model.Client, task, new LlmClassifierOptions { IncludeDescriptions = false, MaxOutputTokens = 24 });

        var predictions = await classifier.ClassifyAsync(Texts, [], null, CancellationToken.None);

        Assert.Equal(Texts.Length, predictions.Count);
        Assert.All(predictions, p => Assert.Contains(p.Answer, task.Labels));
        Assert.All(predictions, p => Assert.Equal(p.Answer, p.Label));
    }

    [Fact]
    public async Task Log_probability_scoring_gives_a_distribution_over_the_labels()
    {
        var task = BuiltInTasks.Sentiment;
        var demonstrations = DemonstrationSampler.Sample(LlmClassifierTests.Pool(task, 2), task, 1, seed: 0);
        var classifier = new LlmClassifier(model.Client, task, new LlmClassifierOptions { Scoring = LlmScoring.LogProbability, IncludeDescriptions = false });

        var predictions = await classifier.ClassifyAsync(Texts[..2], demonstrations, null, CancellationToken.None);

        Assert.All(predictions, p =>
        {
            Assert.Contains(p.Label, task.Labels);
            Assert.Equal(1.0, p.Scores.Values.Sum(), 6);
            Assert.Equal(p.Scores.MaxBy(s => s.Value).Key, p.Label);
        });
    }

    /// <summary>The tiny model with a context long enough for a byte-vocabulary prompt listing seven labels.</summary>
    public sealed class Model : IDisposable
    {
        private readonly string path = Path.Combine(Path.GetTempPath(), $"lowresgen-llmclassify-{Guid.NewGuid():N}.gguf");

        public Model()
        {
            TinyGgufWriter.Write(path);
            Client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, ContextSize: 1024, ParallelSequences: 4, Threads: 2, DefaultMaxOutputTokens: 32));
        }

        public EmbeddedChatClient Client { get; }

        public void Dispose()
        {
            Client.Dispose();
            File.Delete(path);
        }
    }
}
