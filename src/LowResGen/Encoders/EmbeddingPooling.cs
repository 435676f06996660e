using Microsoft.Extensions.AI;

namespace LowResGen.Encoders;

/// <summary>How token vectors become one text vector.</summary>
public enum EmbeddingPooling
{
    /// <summary>Mean of the tokens' vectors (padding excluded), sentence-transformers' usual choice.</summary>
    Mean,

    /// <summary>The first token's vector ([CLS] / &lt;s&gt;), as bge-m3 declares.</summary>
    Cls,

    /// <summary>The last real token's vector (decoder-style embedders).</summary>
    Last,
}

/// <summary>Pooling and L2 normalization over a [batch, length, dimensions] block of token vectors.</summary>
internal static class Pooling
{
    /// <summary>Pools row <paramref name="row"/> of <paramref name="hidden"/> (laid out [batch, length, dims]) over its first <paramref name="tokens"/> positions.</summary>
    public static float[] Pool(ReadOnlySpan<float> hidden, int row, int length, int dimensions, int tokens, EmbeddingPooling pooling, bool normalize)
    {
        var result = new float[dimensions];
        var rowStart = row * length * dimensions;
        switch (pooling)
        {
            case EmbeddingPooling.Cls:
                hidden.Slice(rowStart, dimensions).CopyTo(result);
                break;
            case EmbeddingPooling.Last:
                hidden.Slice(rowStart + ((tokens - 1) * dimensions), dimensions).CopyTo(result);
                break;
            default:
                for (var t = 0; t < tokens; t++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(result, hidden.Slice(rowStart + (t * dimensions), dimensions), result);
                }

                System.Numerics.Tensors.TensorPrimitives.Divide(result, tokens, result);
                break;
        }

        if (normalize)
        {
            Normalize(result);
        }

        return result;
    }

    public static void Normalize(Span<float> vector)
    {
        // sentence-transformers' Normalize divides by max(norm, 1e-12), so a zero vector stays zero.
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, MathF.Max(norm, 1e-12f), vector);
    }
}

/// <summary>The one way the backends package their vectors.</summary>
internal static class EmbeddingResults
{
    public static GeneratedEmbeddings<Embedding<float>> From(IEnumerable<float[]> vectors, string? modelId, long? inputTokens)
    {
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = modelId, CreatedAt = created }))
        {
            Usage = inputTokens is { } tokens ? new UsageDetails { InputTokenCount = tokens } : null,
        };
    }
}
