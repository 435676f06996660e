using Microsoft.ML.Tokenizers;

namespace LowResGen.Encoders.Onnx;

/// <summary>Turns a text into the model's input ids, special tokens included, truncated to a maximum length.</summary>
internal abstract class EncoderTokenizer
{
    public abstract int PadId { get; }

    /// <summary>What the tokenizer is, for cache identities (e.g. "wordpiece:lower").</summary>
    public abstract string Description { get; }

    /// <summary>Ids with the model's start and end tokens; at most <paramref name="maxTokens"/>, the end token kept.</summary>
    public abstract int[] Encode(string text, int maxTokens);

    protected static int[] Wrap(int start, IReadOnlyList<int> body, int end, int maxTokens)
    {
        var count = Math.Min(body.Count, Math.Max(0, maxTokens - 2));
        var ids = new int[count + 2];
        ids[0] = start;
        for (var i = 0; i < count; i++)
        {
            ids[i + 1] = body[i];
        }

        ids[^1] = end;
        return ids;
    }
}

/// <summary>BERT WordPiece from <c>vocab.txt</c>: <c>[CLS] … [SEP]</c>.</summary>
internal sealed class WordPieceEncoderTokenizer : EncoderTokenizer
{
    private readonly BertTokenizer _tokenizer;
    private readonly bool _lowerCase;

    public WordPieceEncoderTokenizer(string vocabularyPath, bool lowerCase)
    {
        _lowerCase = lowerCase;
        // As Hugging Face does for uncased BERT, lower-casing also strips accents (café → cafe).
        _tokenizer = BertTokenizer.Create(vocabularyPath, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase });
    }

    public override int PadId => _tokenizer.PaddingTokenId;

    public override string Description => _lowerCase ? "wordpiece:lower" : "wordpiece:cased";

    public override int[] Encode(string text, int maxTokens) =>
        Wrap(_tokenizer.ClassificationTokenId, _tokenizer.EncodeToIds(text, addSpecialTokens: false), _tokenizer.SeparatorTokenId, maxTokens);
}

/// <summary>
/// XLM-R's SentencePiece: <c>&lt;s&gt; … &lt;/s&gt;</c>. From <c>sentencepiece.bpe.model</c> the raw SentencePiece ids are
/// shifted to fairseq's dictionary, which XLM-R's embedding matrix uses: &lt;s&gt;=0, &lt;pad&gt;=1, &lt;/s&gt;=2,
/// &lt;unk&gt;=3 and every other piece at its SentencePiece id + 1. A <c>tokenizer.json</c> already lists pieces in
/// fairseq order, so its ids are used as they are.
/// </summary>
internal sealed class XlmRobertaEncoderTokenizer : EncoderTokenizer
{
    public const int StartId = 0;
    public const int PadTokenId = 1;
    public const int EndId = 2;
    public const int UnknownId = 3;
    public const int FairseqOffset = 1;

    private readonly SentencePieceTokenizer _tokenizer;
    private readonly bool _fromSentencePieceModel;

    private XlmRobertaEncoderTokenizer(SentencePieceTokenizer tokenizer, bool fromSentencePieceModel)
    {
        _tokenizer = tokenizer;
        _fromSentencePieceModel = fromSentencePieceModel;
    }

    public static XlmRobertaEncoderTokenizer FromSentencePieceModel(Stream model) =>
        new(SentencePieceTokenizer.Create(model, false, false), fromSentencePieceModel: true);

    public static XlmRobertaEncoderTokenizer FromTokenizerJson(Stream json) =>
        new(SentencePieceTokenizer.CreateFromTokenizerJson(json, false, false), fromSentencePieceModel: false);

    public override int PadId => PadTokenId;

    public override string Description => _fromSentencePieceModel ? "xlmr-spm" : "xlmr-json";

    /// <summary>The XLM-R id of a raw SentencePiece id (unknown 0 → 3, &lt;s&gt; 1 → 0, &lt;/s&gt; 2 → 2, others + 1).</summary>
    public static int FromSentencePieceId(int id) => id switch
    {
        0 => UnknownId,
        1 => StartId,
        2 => EndId,
        _ => id + FairseqOffset,
    };

    public override int[] Encode(string text, int maxTokens)
    {
        var ids = _tokenizer.EncodeToIds(text, false, false, true, true);
        if (_fromSentencePieceModel)
        {
            var shifted = new int[ids.Count];
            for (var i = 0; i < shifted.Length; i++)
            {
                shifted[i] = FromSentencePieceId(ids[i]);
            }

            ids = shifted;
        }

        return Wrap(StartId, ids, EndId, maxTokens);
    }
}
