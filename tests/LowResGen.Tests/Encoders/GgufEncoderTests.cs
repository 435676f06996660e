using LowResGen.Encoders;
using LowResGen.Encoders.Embedded;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Encoders;

/// <summary>The batched GGUF embedder on tiny random-weight BERT models written by <see cref="TinyGgufWriter.WriteBert"/>.</summary>
public sealed class GgufEncoderTests : IDisposable
{
    private static readonly string[] Texts =
    [
        "the cat", "hello world !", "a much longer text about the weather in cardiff this morning , and more", "hello world !", "x", "numbers 123 and 456 ?",
    ];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lowresgen-gguf-enc-" + Guid.NewGuid().ToString("N"));

    public GgufEncoderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(GgufPooling pooling, string name = "tiny-bert.gguf")
    {
        var path = Path.Combine(_folder, name);
        TinyGgufWriter.WriteBert(path, new BertGgufSpec { Pooling = pooling });
        return path;
    }

    [Fact]
    public async Task A_tiny_bert_loads_tokenizes_with_its_special_tokens_and_embeds_deterministically()
    {
        var path = Write(GgufPooling.Mean);
        using var encoder = GgufEmbeddingGenerator.Load(new GgufEncoderOptions(path));
        Assert.Equal(32, encoder.Dimensions);
        Assert.Equal(EmbeddingPooling.Mean, encoder.Pooling);

        // [CLS] ▁hello ▁world ▁! [SEP], with the ids of BertVocabulary.
        var vocabulary = TinyGgufWriter.BertVocabulary();
        Assert.Equal(new[] { "[CLS]", "\u2581hello", "\u2581world", "\u2581!", "[SEP]" }.Select(t => vocabulary.IndexOf(t)), encoder.Tokenize("hello world !").Select(t => (int)t));

        var first = await encoder.GenerateAsync(Texts);
        using var again = GgufEmbeddingGenerator.Load(new GgufEncoderOptions(path));
        var second = await again.GenerateAsync(Texts);
        Assert.Equal(first.Select(e => e.Vector.ToArray()), second.Select(e => e.Vector.ToArray()));
        Assert.All(first, e => Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(e.Vector.Span), 1e-4f));
        OnnxEncoderTests.AssertClose(first[1].Vector.Span, first[3].Vector.Span, 1e-5f); // same text, other place in the batch
        Assert.True(OnnxEncoderTests.Cosine(first[0], first[2]) < 0.999f, "different texts must not get the same vector");
    }

    [Fact]
    public async Task Texts_decoded_together_equal_texts_decoded_one_at_a_time()
    {
        var path = Write(GgufPooling.Mean);
        using var batched = GgufEmbeddingGenerator.Load(new GgufEncoderOptions(path) { MaxSequences = 4 });
        var together = await batched.GenerateAsync(Texts);
        for (var i = 0; i < Texts.Length; i++)
        {
            var alone = await batched.GenerateAsync([Texts[i]]);
            OnnxEncoderTests.AssertClose(alone[0].Vector.Span, together[i].Vector.Span, 1e-4f);
        }
    }

    [Fact]
    public async Task The_declared_pooling_is_used_cls_differs_from_mean_of_the_same_weights()
    {
        var mean = Write(GgufPooling.Mean, "mean.gguf");
        var cls = Write(GgufPooling.Cls, "cls.gguf");
        using var meanEncoder = GgufEmbeddingGenerator.Load(new GgufEncoderOptions(mean));
        using var clsEncoder = GgufEmbeddingGenerator.Load(new GgufEncoderOptions(cls));
        Assert.Equal(EmbeddingPooling.Cls, clsEncoder.Pooling);

        var byMean = await meanEncoder.GenerateAsync(["hello world !"]);
        var byCls = await clsEncoder.GenerateAsync(["hello world !"]);
        Assert.Equal(EmbeddingPooling.Mean, meanEncoder.Pooling);

        // Same weights (same seed), so the vectors differ only by the pooling llama.cpp applied.
        Assert.True(OnnxEncoderTests.Cosine(byMean[0], byCls[0]) < 0.999f);
    }

    [Fact]
    public async Task The_factory_resolves_a_gguf_file_to_the_embedded_encoder()
    {
        var path = Write(GgufPooling.Cls, "multilingual-e5-small-tiny.gguf");
        var factory = new EncoderFactory();
        Assert.Equal(new GgufEncoderReference(path), factory.Parse(path));
        using var encoder = factory.Create(path);
        using var bare = GgufEmbeddingGenerator.Load(new GgufEncoderOptions(path));
        var viaFactory = await encoder.GenerateAsync(["hello"]);
        var expected = await bare.GenerateAsync(["query: hello"]); // the e5 convention from the file name
        OnnxEncoderTests.AssertClose(expected[0].Vector.Span, viaFactory[0].Vector.Span, 1e-5f);
    }
}
