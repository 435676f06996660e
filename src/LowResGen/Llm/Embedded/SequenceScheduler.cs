using System.Diagnostics;
using System.Threading.Channels;
using LLama.Batched;
using LLama.Native;

namespace LowResGen.Llm.Embedded;

/// <summary>What the batched decoder has done so far (for diagnostics and tests).</summary>
/// <param name="DecodeSteps">Calls to llama.cpp's decode.</param>
/// <param name="MaxSequencesPerStep">Most sequences that one decode step advanced: above 1 means requests shared a batch.</param>
/// <param name="SequencesCompleted">Requests (answers or scored candidates) finished.</param>
/// <param name="DecodeTime">Time spent in llama.cpp's decode (the rest of the loop is sampling and bookkeeping).</param>
/// <param name="SamplingTime">Time spent sampling and detokenizing between decode steps.</param>
/// <param name="PromptTokensReused">Prompt tokens not decoded because a cached prompt began with them.</param>
public sealed record EmbeddedStatistics(long DecodeSteps, int MaxSequencesPerStep, long SequencesCompleted, TimeSpan DecodeTime, TimeSpan SamplingTime,
    long PromptTokensReused = 0);

/// <summary>
/// Continuous batching over LLamaSharp's <see cref="BatchedExecutor"/>: a queue feeds up to N sequences; each decode
/// step advances every active sequence by one token (or one prompt chunk), and a finished sequence's slot is refilled
/// from the queue at once. New sequences start from the <see cref="PromptPrefixCache"/> where they can. All llama.cpp
/// calls happen on this one loop, so callers may be on any thread.
/// </summary>
internal sealed class SequenceScheduler : IDisposable
{
    private readonly BatchedExecutor _executor;
    private readonly int _maxSequences;
    private readonly int _sequenceContext;
    private readonly PromptPrefixCache _prompts;
    private readonly Channel<ISequenceJob> _queue = Channel.CreateUnbounded<ISequenceJob>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _statisticsLock = new();
    private EmbeddedStatistics _statistics = new(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero);
    private volatile Exception? _fatal;

    public SequenceScheduler(BatchedExecutor executor, int maxSequences, int sequenceContext, int promptCacheSlots)
    {
        _executor = executor;
        _maxSequences = maxSequences;
        _sequenceContext = sequenceContext;
        _prompts = new PromptPrefixCache(promptCacheSlots);
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public EmbeddedStatistics Statistics
    {
        get
        {
            lock (_statisticsLock)
            {
                return _statistics;
            }
        }
    }

    public void Enqueue(ISequenceJob job)
    {
        if (job.PromptTokens.Length + job.ExtraTokensNeeded > _sequenceContext)
        {
            job.Fail(new ArgumentException(
                $"The prompt has {job.PromptTokens.Length} tokens; with {job.ExtraTokensNeeded} more it exceeds the context of {_sequenceContext} tokens per sequence."));
        }
        else if (!_queue.Writer.TryWrite(job))
        {
            job.Fail(Stopped());
        }
    }

    private Exception Stopped() => _fatal is null
        ? new ObjectDisposedException(nameof(EmbeddedChatClient))
        : new InvalidOperationException("The embedded model stopped after an error: " + _fatal.Message, _fatal);

    private async Task RunAsync()
    {
        var active = new List<ActiveSequence>();
        var waiting = new List<ISequenceJob>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Admit(waiting, active);
                if (active.Count == 0)
                {
                    if (!await _queue.Reader.WaitToReadAsync(_stop.Token))
                    {
                        return;
                    }

                    continue;
                }

                var pending = active.Where(a => a.Conversation.RequiresInference).Select(a => a.Conversation).ToList();
                var decodeStarted = Stopwatch.GetTimestamp();
                var result = await _executor.Infer(_stop.Token);
                if (result == DecodeResult.NoKvSlot && _prompts.Count > 0)
                {
                    // The KV cache is sized for the active sequences alone; cached prompts give way to them.
                    _prompts.Clear();
                    result = await _executor.Infer(_stop.Token);
                }

                var decodeTime = Stopwatch.GetElapsedTime(decodeStarted);
                if (result != DecodeResult.Ok)
                {
                    // The failed batch stays queued in the executor, so this executor cannot be trusted any more.
                    throw new InvalidOperationException($"llama.cpp could not decode the batch ({result}).");
                }

                var advanced = pending.Count(c => !c.RequiresInference);
                var samplingStarted = Stopwatch.GetTimestamp();
                for (var i = active.Count - 1; i >= 0; i--)
                {
                    var sequence = active[i];
                    var (job, conversation) = (sequence.Job, sequence.Conversation);
                    if (conversation.RequiresInference)
                    {
                        continue; // its tokens are in a later batch of the queue
                    }

                    if (!sequence.PromptDecoded)
                    {
                        sequence.PromptDecoded = true;
                        if (!job.IsCompleted && conversation.RequiresSampling)
                        {
                            RememberPrompt(sequence);
                        }
                    }

                    var more = false;
                    if (!job.IsCompleted && conversation.RequiresSampling)
                    {
                        try
                        {
                            more = job.Advance(conversation);
                        }
                        catch (Exception exception)
                        {
                            job.Fail(exception);
                        }
                    }

                    if (!more)
                    {
                        if (!job.IsCompleted)
                        {
                            job.Fail(new InvalidOperationException("The sequence ended without a result."));
                        }

                        // Only a conversation without queued tokens may be disposed: its sequence id is reused.
                        conversation.Dispose();
                        active.RemoveAt(i);
                        RecordCompleted();
                    }
                }

                if (pending.Count > 0)
                {
                    RecordStep(advanced, decodeTime, Stopwatch.GetElapsedTime(samplingStarted));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _fatal = exception;
        }
        finally
        {
            _queue.Writer.TryComplete();
            _prompts.Dispose();
            FailAll(active, Stopped());
            while (_queue.Reader.TryRead(out var job))
            {
                waiting.Add(job);
            }

            waiting.ForEach(job => job.Fail(Stopped()));
        }
    }

    private void Admit(List<ISequenceJob> waiting, List<ActiveSequence> active)
    {
        while (_queue.Reader.TryRead(out var queued))
        {
            waiting.Add(queued);
        }

        for (var i = 0; i < waiting.Count && active.Count < _maxSequences;)
        {
            var job = waiting[i];
            if (job.IsCompleted)
            {
                waiting.RemoveAt(i);
                continue; // cancelled while queued
            }

            if (WaitsForSharedPrompt(job, active))
            {
                i++;
                continue;
            }

            waiting.RemoveAt(i);

            Conversation? conversation = null;
            try
            {
                (conversation, var reused) = _prompts.Open(_executor, job.PromptTokens);
                job.Start(conversation, reused);
                active.Add(new ActiveSequence(job, conversation, reused));
                if (reused > 0)
                {
                    lock (_statisticsLock)
                    {
                        _statistics = _statistics with { PromptTokensReused = _statistics.PromptTokensReused + reused };
                    }
                }
            }
            catch (Exception exception)
            {
                conversation?.Dispose();
                job.Fail(exception);
            }
        }
    }

    /// <summary>Offers a just-decoded prompt to the cache; the cache is an optimisation, so its failure fails nothing.</summary>
    private void RememberPrompt(ActiveSequence sequence)
    {
        try
        {
            _prompts.Remember(sequence.Conversation, sequence.Job.PromptTokens, sequence.ReusedTokens);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _prompts.Clear();
        }
    }

    /// <summary>
    /// True when most of the job's prompt is being decoded right now by another sequence and is not cached yet: it starts
    /// one step later as a fork of that prompt instead of decoding the same tokens alongside it. Without this, a burst
    /// of k-shot requests would all decode the shared demonstrations at once.
    /// </summary>
    private bool WaitsForSharedPrompt(ISequenceJob job, List<ActiveSequence> active)
    {
        var prompt = job.PromptTokens;
        var worthWaitingFor = Math.Max(PromptPrefixCache.MinimumSharedTokens, prompt.Length / 2);
        return _prompts.Enabled
            && _prompts.ReusableTokens(prompt) < worthWaitingFor
            && active.Any(a => !a.PromptDecoded && PromptPrefixCache.SharedPrefixLength(a.Job.PromptTokens, prompt) >= worthWaitingFor);
    }

    private static void FailAll(List<ActiveSequence> active, Exception exception)
    {
        foreach (var sequence in active)
        {
            sequence.Job.Fail(exception);
            sequence.Conversation.Dispose();
        }

        active.Clear();
    }

    /// <summary>A job in the batch with its conversation; <paramref name="ReusedTokens"/> of its prompt came from the cache.</summary>
    private sealed class ActiveSequence(ISequenceJob job, Conversation conversation, int reusedTokens)
    {
        public ISequenceJob Job { get; } = job;

        public Conversation Conversation { get; } = conversation;

        public int ReusedTokens { get; } = reusedTokens;

        /// <summary>Set once its prompt has been decoded (and offered to the prompt cache).</summary>
        public bool PromptDecoded { get; set; }
    }

    private void RecordStep(int sequences, TimeSpan decodeTime, TimeSpan samplingTime)
    {
        lock (_statisticsLock)
        {
            _statistics = _statistics with
            {
                DecodeSteps = _statistics.DecodeSteps + 1,
                DecodeTime = _statistics.DecodeTime + decodeTime,
                SamplingTime = _statistics.SamplingTime + samplingTime,
                MaxSequencesPerStep = Math.Max(_statistics.MaxSequencesPerStep, sequences),
            };
        }
    }

    private void RecordCompleted()
    {
        lock (_statisticsLock)
        {
            _statistics = _statistics with { SequencesCompleted = _statistics.SequencesCompleted + 1 };
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        try
        {
            _loop.Wait();
        }
        catch (AggregateException)
        {
            // The loop reports its failures to the jobs; nothing is left to report here.
        }

        _stop.Dispose();
    }
}
