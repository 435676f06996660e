using Microsoft.Extensions.AI;

namespace LowResGen.Llm;

/// <summary>
/// Streaming for clients that work on whole answers (both backends batch, the middleware retries and caches whole
/// answers): the finished response, replayed as updates.
/// </summary>
internal static class WholeAnswerStreaming
{
    /// <summary>Asks for the answer when enumeration starts (as a streaming call would), then yields it as updates.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> ReplayAsync(Func<Task<ChatResponse>> getResponse)
    {
        foreach (var update in (await getResponse().ConfigureAwait(false)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
