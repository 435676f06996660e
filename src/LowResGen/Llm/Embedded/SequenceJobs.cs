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

    /// <summary>Prompts what is not yet in the KV cache: the first <paramref name="reusedTokens"/> came from a cached prompt.</summary>
    public virtual void Start(Conversation conversation, int reusedTokens) => conversation.Prompt(PromptTokens.AsSpan(reusedTokens));

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
    void Start(Conversation conversation, int reusedTokens);

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

    public override void Start(Conversation conversation, int reusedTokens)
    {
        _pipeline = settings.CreatePipeline();
        base.Start(conversation, reusedTokens);
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
        var appendedFrom = _text.Length;
        _text.Append(_decoder.Read());
        if (settings.TrimAtStopSequence(_text, appendedFrom))
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
/// Log-probabilities of several continuations of one prompt, in one sequence: the prompt is decoded once (its last
/// logits score every continuation's first token); then each continuation minus its last token is decoded with logits
/// at every position, read, and rewound from the KV cache before the next one. One continuation per decode step, so a
/// classifier with many labels pays for its prompt once, and other sequences share each step.
/// </summary>
internal sealed class ScoringJob(LLamaToken[] promptTokens, LLamaToken[][] continuations, CancellationToken cancellationToken)
    : SequenceJob<double[]>(promptTokens, cancellationToken)
{
    private readonly double[] _scores = new double[continuations.Length];
    private int _current = -1;

    public override int ExtraTokensNeeded => continuations.Max(c => c.Length);

    public override bool Advance(Conversation conversation)
    {
        if (_current < 0)
        {
            var logits = conversation.Sample();
            var logSum = LogSumExp(logits);
            for (var k = 0; k < continuations.Length; k++)
            {
                _scores[k] = logits[(int)continuations[k][0]] - logSum;
            }
        }
        else
        {
            var continuation = continuations[_current];
            // Offset 0 is the last prompted token, whose logits predict the last continuation token.
            for (var i = 1; i < continuation.Length; i++)
            {
                var logits = conversation.Sample(continuation.Length - 1 - i);
                _scores[_current] += logits[(int)continuation[i]] - LogSumExp(logits);
            }

            conversation.Rewind(continuation.Length - 1);
        }

        do
        {
            _current++;
        }
        while (_current < continuations.Length && continuations[_current].Length == 1);

        if (_current == continuations.Length)
        {
            Complete(_scores);
            return false;
        }

        var next = continuations[_current];
        conversation.Prompt(next.AsSpan(0, next.Length - 1), allLogits: true);
        return true;
    }

    private static double LogSumExp(ReadOnlySpan<float> logits)
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

        return max + Math.Log(sum);
    }
}
