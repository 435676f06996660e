using LowResGen.Common;
using LowResGen.Encoders;
using LowResGen.Encoders.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace LowResGen.Tests.Encoders;

/// <summary>
/// The ONNX backend on the real English all-MiniLM-L6-v2. Token ids are derived by hand from vocab.txt (id = line - 1):
/// [CLS] 101, [SEP] 102, hello 7592, world 2088, "!" 999, the 1996, cat 4937, sat 2938, on 2006, mat 13523, "." 1012,
/// cafe 7668, unbelievable 23653, token 19204, ##ization 3989. Reference embeddings come from a bare ONNX Runtime session
/// fed those ids, pooled by the code in this file; the pinned numbers were printed by that same bare computation.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class OnnxEncoderTests(MiniLmFolder miniLm)
{
    private static readonly long[] HelloWorldIds = [101, 7592, 2088, 999, 102];
    private static readonly long[] CatIds = [101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102];

    [Fact]
    public void Token_ids_are_the_vocabulary_lines_of_each_word_piece()
    {
        using var encoder = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(miniLm.Folder));
        Assert.Equal(HelloWorldIds.Select(i => (int)i), encoder.Tokenize("Hello world!"));
        Assert.Equal(CatIds.Select(i => (int)i), encoder.Tokenize("The cat sat on the mat."));
        Assert.Equal([101, 23653, 19204, 3989, 102], encoder.Tokenize("Unbelievable tokenization"));

        // Uncased BERT lower-cases and strips accents.
        Assert.Equal([101, 7668, 102], encoder.Tokenize("Café"));
    }

    [Fact]
    public void Long_texts_are_truncated_to_the_maximum_keeping_the_end_token()
    {
        using var encoder = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(miniLm.Folder) { MaxTokens = 6 });
        Assert.Equal([101, 1996, 4937, 2938, 2006, 102], encoder.Tokenize("The cat sat on the mat."));
    }

    [Fact]
    public async Task Embeddings_equal_a_bare_session_with_hand_built_inputs_and_hand_written_mean_pooling()
    {
        var texts = new[] { "Hello world!", "The cat sat on the mat." };
        using var encoder = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(miniLm.Folder));
        var embeddings = await encoder.GenerateAsync(texts);

        Assert.Equal(384, encoder.Dimensions);
        Assert.Equal(EmbeddingPooling.Mean, encoder.Pooling);
        Assert.True(encoder.Normalize);
        AssertClose(ReferenceEmbedding(HelloWorldIds, cls: false), embeddings[0].Vector.Span, 1e-5f);
        AssertClose(ReferenceEmbedding(CatIds, cls: false), embeddings[1].Vector.Span, 1e-5f);

        // Pinned from the bare computation (mean pooling, L2-normalized), first six dimensions.
        AssertClose([-0.0203869f, 0.0252808f, -0.0005663f, 0.0116154f, -0.0379884f, -0.1199813f], embeddings[0].Vector.Span[..6], 2e-5f);
        AssertClose([0.1302371f, -0.0157728f, -0.0367167f, 0.0579864f, -0.0597918f, 0.0330537f], embeddings[1].Vector.Span[..6], 2e-5f);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(embeddings[0].Vector.Span), 1e-5f);
    }

    [Fact]
    public async Task Batched_padded_embeddings_equal_one_at_a_time_and_keep_the_input_order()
    {
        var texts = new[] { "The cat sat on the mat.", "Hi", "A considerably longer sentence about the weather in Cardiff this morning.", "Hello world!", "Hi" };
        using var batched = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(miniLm.Folder) { BatchSize = 3 });
        var together = await batched.GenerateAsync(texts);
        Assert.Equal(texts.Length, together.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = await batched.GenerateAsync([texts[i]]);
            AssertClose(alone[0].Vector.Span, together[i].Vector.Span, 1e-5f);
        }

        Assert.Equal(together[1].Vector.ToArray(), together[4].Vector.ToArray());
        Assert.True(Cosine(together[0], together[3]) < 0.9f, "different sentences must not get the same vector");
    }

    [Fact]
    public void Batches_are_sorted_by_length_and_padded_only_to_their_longest_text()
    {
        int[][] tokens = [[1, 2, 3, 4, 5, 6], [1, 2], [1, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8], [1]];
        var batches = OnnxEmbeddingGenerator.PlanBatches(tokens, batchSize: 2, padId: 9).ToList();
        Assert.Equal([[4, 1], [2, 0], [3]], batches.Select(b => b.Indices));
        Assert.Equal([2, 6, 8], batches.Select(b => b.Length));
        Assert.Equal([1, 9, 1, 2], batches[0].InputIds);
        Assert.Equal([1, 0, 1, 1], batches[0].AttentionMask);
    }

    [Fact]
    public async Task Cls_pooling_declared_in_1_Pooling_config_is_used_and_modules_without_Normalize_leave_vectors_raw()
    {
        var folder = miniLm.CopyWith("minilm-cls", new Dictionary<string, string>
        {
            ["modules.json"] = """
                [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
                 {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]
                """,
            ["1_Pooling/config.json"] = """{"word_embedding_dimension":384,"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":false,"pooling_mode_max_tokens":false}""",
            ["sentence_bert_config.json"] = """{"max_seq_length":128,"do_lower_case":true}""",
        });
        using var encoder = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(folder));
        Assert.Equal(EmbeddingPooling.Cls, encoder.Pooling);
        Assert.False(encoder.Normalize);
        Assert.Equal(128, encoder.MaxTokens);

        var embedding = await encoder.GenerateAsync(["Hello world!"]);
        AssertClose(ReferenceEmbedding(HelloWorldIds, cls: true, normalize: false), embedding[0].Vector.Span, 1e-5f);
        Assert.NotEqual(1f, System.Numerics.Tensors.TensorPrimitives.Norm(embedding[0].Vector.Span), 1e-3f);
    }

    [Fact]
    public void A_pooling_config_with_an_unsupported_mode_is_a_one_line_error_naming_file_and_field()
    {
        var folder = miniLm.CopyWith("minilm-max", new Dictionary<string, string>
        {
            ["1_Pooling/config.json"] = """{"pooling_mode_mean_tokens":false,"pooling_mode_max_tokens":true}""",
        });
        var error = Assert.Throws<DataFormatException>(() => OnnxEncoderFolder.Read(folder));
        Assert.Contains("config.json", error.Message);
        Assert.Contains("pooling_mode_max_tokens", error.Message);
    }

    [Fact]
    public void The_factory_resolves_a_folder_and_its_model_file_to_the_same_onnx_encoder()
    {
        var factory = new EncoderFactory();
        Assert.Equal(new OnnxEncoderReference(miniLm.Folder), factory.Parse(miniLm.Folder));
        Assert.Equal(new OnnxEncoderReference(miniLm.Folder), factory.Parse(miniLm.ModelPath));
        Assert.Throws<ArgumentException>(() => factory.Parse(Path.GetTempPath()));
    }

    [Fact]
    public async Task The_factory_applies_the_known_models_prefixes_before_embedding()
    {
        // A folder named like multilingual-e5-small gets e5's "query: " prefix: its vector is the prefixed text's.
        var e5Named = miniLm.CopyWith("multilingual-e5-small-test", new Dictionary<string, string>());
        using var prefixed = new EncoderFactory().Create(e5Named);
        using var plain = OnnxEmbeddingGenerator.Load(new OnnxEncoderOptions(miniLm.Folder));
        var viaFactory = await prefixed.GenerateAsync(["Hello world!"]);
        var expected = await plain.GenerateAsync(["query: Hello world!"]);
        AssertClose(expected[0].Vector.Span, viaFactory[0].Vector.Span, 1e-5f);

        var passage = await prefixed.GenerateAsync(["Hello world!"], new EmbeddingGenerationOptions { AdditionalProperties = new() { [EncoderOptionKeys.InputKind] = EncoderInputKind.Passage } });
        AssertClose((await plain.GenerateAsync(["passage: Hello world!"]))[0].Vector.Span, passage[0].Vector.Span, 1e-5f);
    }

    /// <summary>A bare session on hand-built inputs; pooling and normalization written out here.</summary>
    private float[] ReferenceEmbedding(long[] ids, bool cls, bool normalize = true)
    {
        using var session = new InferenceSession(miniLm.ModelPath);
        long[] shape = [1, ids.Length];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, new Dictionary<string, OrtValue> { ["input_ids"] = inputIds, ["attention_mask"] = mask, ["token_type_ids"] = types }, ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var vector = new double[384];
        var rows = cls ? 1 : ids.Length;
        for (var t = 0; t < rows; t++)
        {
            for (var d = 0; d < 384; d++)
            {
                vector[d] += hidden[(t * 384) + d] / (double)rows;
            }
        }

        var norm = normalize ? Math.Sqrt(vector.Sum(v => v * v)) : 1.0;
        return vector.Select(v => (float)(v / norm)).ToArray();
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance, $"dimension {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    internal static float Cosine(Embedding<float> a, Embedding<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);
}
