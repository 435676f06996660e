using System.Text;
using LLama;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Embedded;

/// <summary>
/// One sequence's work in the shared batch: it prompts its conversation, then is called back each time the model has
/// produced logits for it, until it says it is finished. Runs only on the scheduler's loop.
/// </summary>
internal abstract class SequenceJob<TResult> : ISequenceJob
{
    private readonly TaskCompletionSource<TResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _registration;

    protected SequenceJob(LLamaToken[] promptTokens, CancellationToken cancellationToken)
    {
        PromptTokens = promptTokens;
        // The caller gets its cancellation at once; the loop drops the sequence at its next step.
        _registration = cancellationToken.Register(() => _result.TrySetCanceled(cancellationToken));
    }

    public LLamaToken[] PromptTokens { get; }

    /// <summary>Tokens the sequence needs beyond its prompt (at least one generated token).</summary>
    public virtual int ExtraTokensNeeded => 1;

    public bool IsCompleted => _result.Task.IsCompleted;

    public Task<TResult> Task => _result.Task;

    public virtual void Start(Conversation conversation) => conversation.Prompt(PromptTokens);

    public abstract bool Advance(Conversation conversation);

    public void Fail(Exception exception)
    {
        _result.TrySetException(exception);
        _registration.Dispose();
    }

    protected void Complete(TResult result)
    {
        _result.TrySetResult(result);
        _registration.Dispose();
    }
}

internal interface ISequenceJob
{
    LLamaToken[] PromptTokens { get; }
    int ExtraTokensNeeded { get; }
    bool IsCompleted { get; }
    void Start(Conversation conversation);

    /// <summary>Consumes the logits; returns true when it prompted more tokens, false when it is finished.</summary>
    bool Advance(Conversation conversation);

    void Fail(Exception exception);
}

internal sealed record GenerationResult(string Text, ChatFinishReason FinishReason, int PromptTokens, int OutputTokens);

/// <summary>Samples an answer token by token with its own pipeline (temperature, top-p, seed, penalties, grammar).</summary>
internal sealed class GenerationJob(
    LLamaToken[] promptTokens,
    SamplingSettings settings,
    LLamaWeights weights,
    int sequenceContext,
    CancellationToken cancellationToken) : SequenceJob<GenerationResult>(promptTokens, cancellationToken)
{
    private readonly StreamingTokenDecoder _decoder = new(Encoding.UTF8, weights);
    private readonly StringBuilder _text = new();
    private DefaultSamplingPipeline? _pipeline;
    private int _outputTokens;

    public override void Start(Conversation conversation)
    {
        _pipeline = settings.CreatePipeline();
        base.Start(conversation);
    }

    public override bool Advance(Conversation conversation)
    {
        var token = conversation.Sample(_pipeline!);
        _outputTokens++;
        if (token.IsEndOfGeneration(weights.Vocab))
        {
            return Finish(ChatFinishReason.Stop);
        }

        _decoder.Add(token);
        _text.Append(_decoder.Read());
        if (settings.TrimAtStopSequence(_text))
        {
            return Finish(ChatFinishReason.Stop);
        }

        if (_outputTokens >= settings.MaxOutputTokens || conversation.TokenCount + 1 >= sequenceContext)
        {
            return Finish(ChatFinishReason.Length);
        }

        conversation.Prompt(token);
        return true;
    }

    private bool Finish(ChatFinishReason reason)
    {
        _pipeline?.Dispose();
        Complete(new GenerationResult(_text.ToString(), reason, PromptTokens.Length, _outputTokens));
        return false;
    }
}

/// <summary>
/// Log-probability of a fixed continuation: the prompt is decoded first (its last logits score the first continuation
/// token), then the continuation minus its last token is decoded with logits at every position.
/// </summary>
internal sealed class ScoringJob(LLamaToken[] promptTokens, LLamaToken[] continuation, CancellationToken cancellationToken)
    : SequenceJob<double>(promptTokens, cancellationToken)
{
    private double _logProbability;
    private bool _continuationPrompted;

    public override int ExtraTokensNeeded => continuation.Length;

    public override bool Advance(Conversation conversation)
    {
        if (!_continuationPrompted)
        {
            _logProbability = LogSoftmax(conversation.Sample(), continuation[0]);
            if (continuation.Length == 1)
            {
                Complete(_logProbability);
                return false;
            }

            conversation.Prompt(continuation.AsSpan(0, continuation.Length - 1), allLogits: true);
            _continuationPrompted = true;
            return true;
        }

        // Offset 0 is the last prompted token, whose logits predict the last continuation token.
        for (var i = 1; i < continuation.Length; i++)
        {
            _logProbability += LogSoftmax(conversation.Sample(continuation.Length - 1 - i), continuation[i]);
        }

        Complete(_logProbability);
        return false;
    }

    internal static double LogSoftmax(ReadOnlySpan<float> logits, LLamaToken token)
    {
        var max = float.NegativeInfinity;
        foreach (var logit in logits)
        {
            max = MathF.Max(max, logit);
        }

        double sum = 0;
        foreach (var logit in logits)
        {
            sum += Math.Exp(logit - max);
        }

        return logits[(int)token] - max - Math.Log(sum);
    }
}
