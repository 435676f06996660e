using System.Text;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using LowResGen.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LowResGen.Llm.Embedded;

/// <summary>
/// An <see cref="IChatClient"/> over a GGUF model run in-process by llama.cpp (LLamaSharp). Chats are formatted with the
/// model's own chat template; concurrent requests share the model, up to
/// <see cref="EmbeddedModelOptions.ParallelSequences"/> of them decoded together in one batch. Also offers
/// <see cref="ITokenCounter"/> and <see cref="ICompletionScorer"/> through <see cref="GetService"/>.
/// </summary>
public sealed class EmbeddedChatClient : IChatClient, ITokenCounter, ICompletionScorer
{
    private readonly LLamaWeights _weights;
    private readonly BatchedExecutor _executor;
    private readonly SequenceScheduler _scheduler;
    private readonly EmbeddedModelOptions _options;
    private readonly string? _template;
    private readonly ChatClientMetadata _metadata;
    private readonly GrammarCheck _grammarCheck;
    private int _disposed;

    private EmbeddedChatClient(EmbeddedModelOptions options, LLamaWeights weights, BatchedExecutor executor, int sequenceContext)
    {
        _options = options;
        _weights = weights;
        _executor = executor;
        ContextLength = sequenceContext;
        _template = weights.NativeHandle.GetTemplate(null, strict: false);
        _scheduler = new SequenceScheduler(executor, options.ParallelSequences, sequenceContext, options.PromptCacheSlots);
        _grammarCheck = new GrammarCheck(weights);
        _metadata = new ChatClientMetadata("llama.cpp", new Uri(Path.GetFullPath(options.ModelPath)), Path.GetFileName(options.ModelPath));
    }

    /// <summary>Loads the model. llama.cpp's own log lines go to <paramref name="logger"/> (dropped when null).</summary>
    public static EmbeddedChatClient Load(EmbeddedModelOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.ModelPath))
        {
            throw new FileNotFoundException($"Model file not found: {options.ModelPath}", options.ModelPath);
        }

        if (options.ParallelSequences < 1 || options.BatchSize < 1 || options.DefaultMaxOutputTokens < 1 || options.PromptCacheSlots < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ParallelSequences, BatchSize and DefaultMaxOutputTokens must be positive, PromptCacheSlots not negative.");
        }

        // llama.cpp has one process-wide log sink; without one it writes its loading chatter to stderr.
        NativeLogConfig.llama_log_set(logger ?? NullLogger.Instance);
        var weights = LLamaWeights.LoadFromFile(new ModelParams(options.ModelPath) { GpuLayerCount = 0 });
        try
        {
            var sequenceContext = options.ContextSize ?? Math.Min(weights.ContextSize, EmbeddedModelOptions.DefaultContextCap);
            var contextParams = new ModelParams(options.ModelPath)
            {
                // Room for every sequence at full length; the scheduler caps each one at sequenceContext, so one
                // long answer cannot starve the others. A unified KV buffer measured ~2x faster per batched step
                // than per-sequence streams on CPU (bench `embedded`).
                // Cached prompts are sequences too, but need no extra cells: they share them with the sequences forked
                // from them, and give their own up when the active sequences need room.
                ContextSize = (uint)(sequenceContext * options.ParallelSequences),
                SeqMax = (uint)(options.ParallelSequences + options.PromptCacheSlots),
                KVUnified = true,
                BatchSize = (uint)options.BatchSize,
                UBatchSize = (uint)options.BatchSize,
                Threads = options.Threads,

                // Steps that decode several sequences are compute-bound, so they get every core; llama.cpp's own
                // default (half the logical processors) left half of a 2-core machine idle: 180 -> 238 tokens/s
                // for 8 sequences (bench `embedded`). Single-token steps keep llama.cpp's choice (memory-bound).
                BatchThreads = options.Threads ?? Environment.ProcessorCount,
            };
            var executor = new BatchedExecutor(weights, contextParams);
            var modelName = Path.GetFileName(options.ModelPath);
            logger?.ModelLoaded(modelName, weights.ParameterCount, sequenceContext, options.ParallelSequences);
            return new EmbeddedChatClient(options, weights, executor, sequenceContext);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Context window of each sequence in tokens.</summary>
    public int ContextLength { get; }

    /// <summary>Counters of the batched decoder.</summary>
    public EmbeddedStatistics Statistics => _scheduler.Statistics;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var settings = SamplingSettings.From(options, _options.DefaultMaxOutputTokens);
        if (settings.Grammar is { } grammar)
        {
            _grammarCheck.EnsureValid(grammar);
        }

        var prompt = Tokenize(FormatPrompt(messages, options?.Instructions), addBos: true);
        var job = new GenerationJob(prompt, settings, _weights, ContextLength, cancellationToken);
        _scheduler.Enqueue(job);
        var result = await job.Task.ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            FinishReason = result.FinishReason,
            ModelId = _metadata.DefaultModelId,
            CreatedAt = DateTimeOffset.UtcNow,
            Usage = new UsageDetails
            {
                InputTokenCount = result.PromptTokens,
                OutputTokenCount = result.OutputTokens,
                TotalTokenCount = result.PromptTokens + result.OutputTokens,
            },
        };
    }

    /// <summary>Streams the finished answer: decoding is batched, so there is no per-token stream to forward.</summary>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WholeAnswerStreaming.ReplayAsync(() => GetResponseAsync(messages, options, cancellationToken));

    public int CountChatTokens(IEnumerable<ChatMessage> messages)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return Tokenize(FormatPrompt(messages, instructions: null), addBos: true).Length;
    }

    /// <summary>
    /// Scores each candidate as the assistant's whole reply: the log-probability of the tokens the chat template puts
    /// after the prompt, i.e. the candidate followed by the template's end-of-turn marker. Including the end marker
    /// keeps a candidate from winning just because it is a prefix of another ("Sport" vs "Sports").
    /// The prompt is decoded once; the candidates follow one per decode step in the shared batch. The usage reported is the
    /// prompt's tokens plus every candidate's (what is read; a cached prompt prefix is still counted, like chat prompts).
    /// </summary>
    public async Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var promptText = FormatPrompt(messages, instructions: null);
        var prompt = Tokenize(promptText, addBos: true);
        var continuations = new LLamaToken[candidates.Count][];
        for (var i = 0; i < candidates.Count; i++)
        {
            var full = FormatChat(messages.Append(new ChatMessage(ChatRole.Assistant, candidates[i])), instructions: null, addAssistant: false);
            var continuationText = full.StartsWith(promptText, StringComparison.Ordinal) ? full[promptText.Length..] : candidates[i];
            continuations[i] = Tokenize(continuationText, addBos: false);
            if (continuations[i].Length == 0)
            {
                throw new ArgumentException("A candidate must not be empty.", nameof(candidates));
            }

            if (continuations[i].Length > _options.BatchSize)
            {
                throw new ArgumentException($"Candidate of {continuations[i].Length} tokens is longer than the batch size {_options.BatchSize}.", nameof(candidates));
            }
        }

        if (continuations.Length == 0)
        {
            return [];
        }

        var job = new ScoringJob(prompt, continuations, cancellationToken);
        _scheduler.Enqueue(job);
        var read = prompt.Length + continuations.Sum(c => (long)c.Length);
        return new CompletionScores(await job.Task.ConfigureAwait(false))
        {
            Usage = new UsageDetails { InputTokenCount = read, OutputTokenCount = 0, TotalTokenCount = read },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _scheduler.Dispose();
        _executor.Dispose();
        _weights.Dispose();
    }

    private string FormatPrompt(IEnumerable<ChatMessage> messages, string? instructions) =>
        FormatChat(messages, instructions, addAssistant: true);

    private string FormatChat(IEnumerable<ChatMessage> messages, string? instructions, bool addAssistant)
    {
        var template = new LLamaTemplate(_template) { AddAssistant = addAssistant };
        if (!string.IsNullOrEmpty(instructions))
        {
            template.Add(ChatRole.System.Value, instructions);
        }

        foreach (var message in messages)
        {
            template.Add(message.Role.Value, message.Text);
        }

        return Encoding.UTF8.GetString(template.Apply());
    }

    private LLamaToken[] Tokenize(string text, bool addBos) =>
        _weights.Tokenize(text, addBos && _weights.Vocab.ShouldAddBOS, special: true, Encoding.UTF8);
}
