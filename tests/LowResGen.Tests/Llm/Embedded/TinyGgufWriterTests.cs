using LLama;
using LLama.Common;
using LLama.Native;
using LowResGen.TestSupport.Gguf;

namespace LowResGen.Tests.Llm.Embedded;

public sealed class TinyGgufWriterTests
{
    [Theory]
    [InlineData(GgufWeightType.F32)]
    [InlineData(GgufWeightType.F16)]
    [InlineData(GgufWeightType.Q8_0)]
    [InlineData(GgufWeightType.Q4_0)]
    public void WrittenModelLoadsWithItsVocabularyAndChatTemplate(GgufWeightType type)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tiny-{Guid.NewGuid():N}.gguf");
        try
        {
            var spec = new GgufModelSpec { WeightType = type, EmbeddingSize = 64, FeedForwardSize = 128 };
            TinyGgufWriter.Write(path, spec);
            using var weights = LLamaWeights.LoadFromFile(new ModelParams(path) { ContextSize = 256 });

            Assert.Equal(spec.VocabularySize, weights.Vocab.Count);
            Assert.Equal(spec.ParameterCount, (long)weights.ParameterCount);
            Assert.Equal(TinyGgufWriter.ChatMlTemplate, weights.Metadata["tokenizer.chat_template"]);

            // Byte-level vocabulary: text becomes BOS + one token per UTF-8 byte, and decodes back.
            var tokens = weights.Tokenize("héllo", add_bos: true, special: false, System.Text.Encoding.UTF8);
            Assert.Equal(TinyGgufWriter.BosTokenId, (int)tokens[0]);
            Assert.Equal(1 + System.Text.Encoding.UTF8.GetByteCount("héllo"), tokens.Length);
            var decoder = new StreamingTokenDecoder(System.Text.Encoding.UTF8, weights);
            decoder.AddRange(tokens.AsSpan(1));
            Assert.Equal("héllo", decoder.Read());

            // The template is applied by llama.cpp (recognised as ChatML).
            var template = new LLamaTemplate(weights) { AddAssistant = true };
            template.Add("user", "hi");
            var prompt = System.Text.Encoding.UTF8.GetString(template.Apply());
            Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompt);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
