using System.Diagnostics;
using System.Globalization;
using LowResGen.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LowResGen.Llm.Middleware;

/// <summary>
/// Logs each request's outcome (Debug: model, endpoint, tokens, latency, attempts, cache hit; Warning: failures) with every
/// known secret and anything key-shaped removed. Prompts and answers are logged only at Trace, also redacted. Log-probability
/// scoring is logged the same way.
/// </summary>
public sealed class RedactingLoggingChatClient : WholeAnswerDelegatingChatClient
{
    private const int TraceExcerptLength = 500;
    private readonly ILogger _logger;
    private readonly string[] _secrets;
    private readonly string _model;

    public RedactingLoggingChatClient(IChatClient innerClient, ILogger logger, IEnumerable<string>? secrets = null)
        : base(innerClient)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _secrets = secrets?.ToArray() ?? [];
        _model = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToArray();
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LlmRequest(_model, options.GetSampleIndex(),
                Redact(Excerpt(string.Join("\n", list.Select(m => $"{m.Role}: {m.Text}")))));
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LlmAnswered(_model, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, Redact(response.GetEndpoint() ?? "-"), response.Usage?.InputTokenCount,
                    response.Usage?.OutputTokenCount, response.FinishReason?.Value, response.GetAttempts(), response.IsCacheHit());
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LlmAnswer(_model, Redact(Excerpt(response.Text)));
            }

            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception object is not passed to the logger: its inner exceptions are third-party text we cannot vouch for.
            _logger.LlmFailed(_model, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.GetType().Name, Redact(e.Message));
            throw;
        }
    }

    /// <summary>Scoring is logged like an answer: Debug outcome (candidates, tokens read, attempts, cache hit), Trace prompt and scores.</summary>
    protected override ICompletionScorer WrapScorer(ICompletionScorer inner) => new LoggingScorer(this, inner);

    private sealed class LoggingScorer(RedactingLoggingChatClient owner, ICompletionScorer inner) : ICompletionScorer
    {
        public async Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<string> candidates, CancellationToken cancellationToken)
        {
            var logger = owner._logger;
            if (logger.IsEnabled(LogLevel.Trace))
            {
                logger.LlmScoreRequest(owner._model, candidates.Count, owner.Redact(Excerpt(string.Join("\n", messages.Select(m => $"{m.Role}: {m.Text}")))));
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var scores = await inner.ScoreAsync(messages, candidates, cancellationToken).ConfigureAwait(false);
                var annotated = scores as CompletionScores;
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LlmScored(owner._model, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, scores.Count, annotated?.Usage?.InputTokenCount,
                        annotated?.GetAttempts() ?? 1, annotated?.IsCacheHit() ?? false);
                }

                if (logger.IsEnabled(LogLevel.Trace))
                {
                    logger.LlmAnswer(owner._model, owner.Redact(Excerpt(string.Join(", ",
                        candidates.Zip(scores, (c, s) => string.Create(CultureInfo.InvariantCulture, $"{c}: {s:G4}"))))));
                }

                return scores;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LlmFailed(owner._model, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.GetType().Name, owner.Redact(e.Message));
                throw;
            }
        }
    }

    private string Redact(string text) => SecretRedactor.Redact(text, _secrets);

    private static string Excerpt(string text) => text.Length <= TraceExcerptLength ? text : text[..TraceExcerptLength] + "…";
}
