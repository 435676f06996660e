using System.Collections.Concurrent;
using LowResGen.Common;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm;

/// <summary>One request a <see cref="RecordingChatClient"/> was given, in the order it was given.</summary>
public sealed record RecordedCall(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);

/// <summary>
/// A backend that sends nothing: it records every request and answers with <paramref name="answer"/> (empty by default).
/// Dry runs drive the real pipelines with it, so the prompts they show are the ones a real run would send.
/// </summary>
public sealed class RecordingChatClient(string modelId, Func<IReadOnlyList<ChatMessage>, string>? answer = null) : IChatClient
{
    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly ChatClientMetadata _metadata = new("dry-run", null, modelId);

    public IReadOnlyList<RecordedCall> Calls => [.. _calls];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ChatMessage> list = [.. messages];
        _calls.Enqueue(new RecordedCall(list, options?.Clone()));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer?.Invoke(list) ?? ""))
        {
            FinishReason = ChatFinishReason.Stop,
            ModelId = modelId,
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WholeAnswerStreaming.ReplayAsync(() => GetResponseAsync(messages, options, cancellationToken));

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        BackendServices.Resolve(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
    }
}
