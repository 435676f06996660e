using LLama;
using LLama.Common;
using LLama.Native;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Llm.Embedded;

/// <summary>
/// The writer's quantizers are checked against llama.cpp's own dequantization: the same random weights written as F32
/// and as a quantized type must give nearly the same next-token logits. A wrong block layout (nibble order, packed
/// scales) loads fine but scrambles the weights: Q4_K with its nibbles swapped measured 0.83 against 0.996 when right.
/// </summary>
public sealed class QuantizedGgufTests
{
    [Theory]
    [InlineData(GgufWeightType.F16, 0.9999)]
    [InlineData(GgufWeightType.Q8_0, 0.999)]
    [InlineData(GgufWeightType.Q4_0, 0.98)]
    [InlineData(GgufWeightType.Q4_K, 0.98)]
    public void QuantizedModelPredictsLikeTheFullPrecisionOne(GgufWeightType type, double minimumCorrelation)
    {
        var spec = new GgufModelSpec { EmbeddingSize = 256, FeedForwardSize = 512, Heads = 4, KvHeads = 2, Layers = 2 };
        var reference = LastTokenLogits(spec with { WeightType = GgufWeightType.F32 });
        var quantized = LastTokenLogits(spec with { WeightType = type });

        Assert.Equal(spec.VocabularySize, quantized.Length);
        Assert.InRange(Correlation(reference, quantized), minimumCorrelation, 1.0);
    }

    [Fact]
    public void DifferentWeightsGiveUncorrelatedLogits()
    {
        // The control for the test above: correlation is not high merely because both models share a vocabulary.
        var spec = new GgufModelSpec { EmbeddingSize = 256, FeedForwardSize = 512, Heads = 4, KvHeads = 2, Layers = 2 };
        var first = LastTokenLogits(spec);
        var second = LastTokenLogits(spec with { Seed = spec.Seed + 1 });

        Assert.InRange(Math.Abs(Correlation(first, second)), 0, 0.3);
    }

    private static float[] LastTokenLogits(GgufModelSpec spec)
    {
        var path = Path.Combine(Path.GetTempPath(), $"quantized-{Guid.NewGuid():N}.gguf");
        try
        {
            TinyGgufWriter.Write(path, spec);
            var parameters = new ModelParams(path) { ContextSize = 64, GpuLayerCount = 0 };
            using var weights = LLamaWeights.LoadFromFile(parameters);
            using var context = weights.CreateContext(parameters);
            var tokens = context.Tokenize("Pa iaith?", addBos: true);
            var batch = new LLamaBatch();
            for (var i = 0; i < tokens.Length; i++)
            {
                batch.Add(tokens[i], i, LLamaSeqId.Zero, logits: i == tokens.Length - 1);
            }

            Assert.Equal(DecodeResult.Ok, context.NativeHandle.Decode(batch));
            return context.NativeHandle.GetLogitsIth(tokens.Length - 1).ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Correlation(float[] x, float[] y)
    {
        double meanX = x.Average(), meanY = y.Average(), covariance = 0, varianceX = 0, varianceY = 0;
        for (var i = 0; i < x.Length; i++)
        {
            covariance += (x[i] - meanX) * (y[i] - meanY);
            varianceX += (x[i] - meanX) * (x[i] - meanX);
            varianceY += (y[i] - meanY) * (y[i] - meanY);
        }

        return covariance / Math.Sqrt(varianceX * varianceY);
    }
}
