using System.Text;
using LowResGen.Encoders.Onnx;

namespace LowResGen.Tests.Encoders;

/// <summary>
/// XLM-R's two tokenizer files, on tiny hand-built ones (no real XLM-R file is available offline): a SentencePiece
/// unigram <c>ModelProto</c> written field by field here, and a Hugging Face <c>tokenizer.json</c> with the same pieces in
/// fairseq order. The expected ids are derived by hand: the unigram path of highest score, then fairseq's dictionary
/// (&lt;s&gt;=0, &lt;pad&gt;=1, &lt;/s&gt;=2, &lt;unk&gt;=3, every other SentencePiece id + 1).
/// </summary>
public sealed class XlmRobertaTokenizerTests
{
    // The SentencePiece vocabulary in its own id order, as XLM-R's sentencepiece.bpe.model orders it: <unk>, <s>, </s>.
    private static readonly (string Piece, float Score, int Type)[] Pieces =
    [
        ("<unk>", 0, Unknown), ("<s>", 0, Control), ("</s>", 0, Control),
        ("▁hello", -1f, Normal), ("▁world", -1.5f, Normal), ("▁", -3f, Normal),
        ("h", -4f, Normal), ("e", -4f, Normal), ("l", -4f, Normal), ("o", -4f, Normal),
        ("w", -4f, Normal), ("r", -4f, Normal), ("d", -4f, Normal),
        ("▁he", -2.5f, Normal), ("llo", -2.6f, Normal),
    ];

    private const int Normal = 1;
    private const int Unknown = 2;
    private const int Control = 3;

    // By hand: "▁hello" (SentencePiece id 3) beats "▁he"+"llo" (−5.1) and the letters; "▁world" is id 4. "he llo":
    // "▁he" (13), then "▁llo" = "▁" (5) + "llo" (14) at −5.6 against −15 for letters. "q" has no piece: "▁" (5) + <unk> (0).
    // XLM-R ids: <s> (0) first, </s> (2) last, <unk> 0 → 3, every other id + 1.
    public static TheoryData<string, int[]> Expected => new()
    {
        { "hello world", [0, 4, 5, 2] },
        { "world hello hello", [0, 5, 4, 4, 2] },
        { "he llo", [0, 14, 6, 15, 2] },
        { "hello q", [0, 4, 6, 3, 2] },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Sentencepiece_model_ids_are_shifted_to_fairseqs_dictionary(string text, int[] ids)
    {
        using var model = new MemoryStream(ModelProto());
        var tokenizer = XlmRobertaEncoderTokenizer.FromSentencePieceModel(model);

        Assert.Equal(ids, tokenizer.Encode(text, 512));
        Assert.Equal(1, tokenizer.PadId);
        Assert.Equal("xlmr-spm", tokenizer.Description);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Tokenizer_json_ids_are_used_as_listed(string text, int[] ids)
    {
        using var json = new MemoryStream(Encoding.UTF8.GetBytes(TokenizerJson()));
        var tokenizer = XlmRobertaEncoderTokenizer.FromTokenizerJson(json);

        Assert.Equal(ids, tokenizer.Encode(text, 512));
        Assert.Equal(1, tokenizer.PadId);
    }

    [Fact]
    public void Truncation_keeps_the_end_token()
    {
        using var model = new MemoryStream(ModelProto());
        var tokenizer = XlmRobertaEncoderTokenizer.FromSentencePieceModel(model);

        Assert.Equal([0, 5, 4, 2], tokenizer.Encode("world hello hello", 4));
    }

    [Theory]
    [InlineData(0, 3)] // <unk>
    [InlineData(1, 0)] // <s>
    [InlineData(2, 2)] // </s>
    [InlineData(3, 4)] // the first ordinary piece
    [InlineData(250_000, 250_001)]
    public void Raw_sentencepiece_ids_map_to_xlmr_ids(int raw, int xlmr) =>
        Assert.Equal(xlmr, XlmRobertaEncoderTokenizer.FromSentencePieceId(raw));

    /// <summary>
    /// sentencepiece_model.proto, only what a unigram model needs: pieces (1: piece, 2: score, 3: type), trainer_spec
    /// (3: model_type UNIGRAM = 1, 40–43: unk/bos/eos/pad ids) and normalizer_spec (1: name, 3: add_dummy_prefix,
    /// 4: remove_extra_whitespaces, 5: escape_whitespaces), no precompiled normalization map.
    /// </summary>
    private static byte[] ModelProto()
    {
        var model = new List<byte>();
        foreach (var (piece, score, type) in Pieces)
        {
            var entry = new List<byte>();
            String(entry, 1, piece);
            entry.Add((2 << 3) | 5);
            entry.AddRange(BitConverter.GetBytes(score));
            Varint(entry, 3, type);
            Message(model, 1, entry);
        }

        var trainer = new List<byte>();
        Varint(trainer, 3, 1);
        Varint(trainer, 4, Pieces.Length);
        Varint(trainer, 40, 0);
        Varint(trainer, 41, 1);
        Varint(trainer, 42, 2);
        Varint(trainer, 43, -1);
        Message(model, 2, trainer);

        var normalizer = new List<byte>();
        String(normalizer, 1, "identity");
        Varint(normalizer, 3, 1);
        Varint(normalizer, 4, 1);
        Varint(normalizer, 5, 1);
        Message(model, 3, normalizer);
        return [.. model];
    }

    private static void Varint(List<byte> into, int field, long value)
    {
        RawVarint(into, (ulong)(field << 3));
        RawVarint(into, unchecked((ulong)value));
    }

    private static void String(List<byte> into, int field, string value) => Message(into, field, [.. Encoding.UTF8.GetBytes(value)]);

    private static void Message(List<byte> into, int field, List<byte> body)
    {
        RawVarint(into, (ulong)((field << 3) | 2));
        RawVarint(into, (ulong)body.Count);
        into.AddRange(body);
    }

    private static void RawVarint(List<byte> into, ulong value)
    {
        while (value >= 0x80)
        {
            into.Add((byte)(value | 0x80));
            value >>= 7;
        }

        into.Add((byte)value);
    }

    /// <summary>Hugging Face's layout for XLM-R: fairseq order (<c>&lt;s&gt;, &lt;pad&gt;, &lt;/s&gt;, &lt;unk&gt;</c>), then the pieces.</summary>
    private static string TokenizerJson()
    {
        var vocabulary = new[] { ("<s>", 0f), ("<pad>", 0f), ("</s>", 0f), ("<unk>", 0f) }
            .Concat(Pieces.Skip(3).Select(p => (p.Piece, p.Score)))
            .Select(p => $"[\"{p.Item1}\", {p.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture)}]");
        string Special(int id, string content) =>
            $$"""{"id": {{id}}, "content": "{{content}}", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}""";
        return $$"""
            {
              "version": "1.0",
              "added_tokens": [{{Special(0, "<s>")}}, {{Special(1, "<pad>")}}, {{Special(2, "</s>")}}, {{Special(3, "<unk>")}}],
              "normalizer": null,
              "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "add_prefix_space": true, "prepend_scheme": "always"},
              "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": true, "add_prefix_space": true},
              "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": false, "vocab": [{{string.Join(", ", vocabulary)}}]}
            }
            """;
    }
}
