using LowResGen.Llm.Embedded;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Llm.Embedded;

/// <summary>A tiny random GGUF written once per test class, loaded with 4 parallel sequences.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public const int ContextSize = 256;
    public const int ParallelSequences = 4;

    public TinyModelFixture()
    {
        ModelPath = Path.Combine(Path.GetTempPath(), $"lowresgen-tiny-{Guid.NewGuid():N}.gguf");
        TinyGgufWriter.Write(ModelPath);
        Client = EmbeddedChatClient.Load(new EmbeddedModelOptions(ModelPath, ContextSize, ParallelSequences, Threads: 2, DefaultMaxOutputTokens: 64));
    }

    public string ModelPath { get; }

    public EmbeddedChatClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        File.Delete(ModelPath);
    }
}
