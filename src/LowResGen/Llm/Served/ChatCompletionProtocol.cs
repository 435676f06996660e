using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LowResGen.Llm.Served;

/// <summary>
/// The OpenAI <c>/v1/chat/completions</c> wire format: writes request bodies (with server-specific sampling fields passed
/// through) and parses answers strictly, so a truncated or garbled body is a <see cref="FormatException"/>, never an empty answer.
/// </summary>
internal static class ChatCompletionProtocol
{
    /// <summary>AdditionalProperties keys with this prefix are ours and never sent; all other keys are sent verbatim.</summary>
    private const string InternalKeyPrefix = "lowresgen.";

    public static byte[] WriteRequest(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, ServerKind serverKind)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", options?.ModelId ?? model);
            json.WriteStartArray("messages");
            if (!string.IsNullOrEmpty(options?.Instructions))
            {
                WriteMessage(json, "system", options.Instructions);
            }

            foreach (var message in messages)
            {
                WriteMessage(json, message.Role.Value, message.Text);
            }

            json.WriteEndArray();
            if (options is not null)
            {
                WriteOptions(json, options, serverKind);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter json, ChatOptions options, ServerKind serverKind)
    {
        WriteSamplingFields(json, options);
        if (options.StopSequences is { Count: > 0 } stops)
        {
            json.WriteStartArray("stop");
            foreach (var stop in stops)
            {
                json.WriteStringValue(stop);
            }

            json.WriteEndArray();
        }

        WriteResponseFormat(json, options.ResponseFormat);
        WriteConstraints(json, options, serverKind);

        if (options.AdditionalProperties is { } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (key.StartsWith(InternalKeyPrefix, StringComparison.Ordinal) || value is null)
                {
                    continue;
                }

                json.WritePropertyName(key);
                JsonSerializer.Serialize(json, value, value.GetType(), AIJsonUtilities.DefaultOptions);
            }
        }
    }

    /// <summary>The numeric sampling fields under their OpenAI names (also the response cache's key material).</summary>
    internal static void WriteSamplingFields(Utf8JsonWriter json, ChatOptions options)
    {
        WriteIfSet(json, "temperature", options.Temperature);
        WriteIfSet(json, "top_p", options.TopP);
        WriteIfSet(json, "top_k", options.TopK);
        WriteIfSet(json, "max_tokens", options.MaxOutputTokens);
        WriteIfSet(json, "frequency_penalty", options.FrequencyPenalty);
        WriteIfSet(json, "presence_penalty", options.PresencePenalty);
        if (options.Seed is { } seed)
        {
            json.WriteNumber("seed", seed);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, float? value)
    {
        if (value is { } v)
        {
            // Round-trip through decimal text so 0.7f is sent as 0.7, not 0.699999988.
            json.WriteNumber(name, double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter json, ChatResponseFormat? format)
    {
        switch (format)
        {
            case ChatResponseFormatJson { Schema: { } schema } withSchema:
                json.WriteStartObject("response_format");
                json.WriteString("type", "json_schema");
                json.WriteStartObject("json_schema");
                json.WriteString("name", withSchema.SchemaName ?? "answer");
                if (withSchema.SchemaDescription is { } description)
                {
                    json.WriteString("description", description);
                }

                json.WritePropertyName("schema");
                schema.WriteTo(json);
                json.WriteBoolean("strict", true);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case ChatResponseFormatJson:
                json.WriteStartObject("response_format");
                json.WriteString("type", "json_object");
                json.WriteEndObject();
                break;
        }
    }

    private static void WriteConstraints(Utf8JsonWriter json, ChatOptions options, ServerKind serverKind)
    {
        var choices = options.GetChoices();
        var grammar = options.GetGrammar();
        var vllm = serverKind is ServerKind.Vllm or ServerKind.Generic;
        var llamaCpp = serverKind is ServerKind.LlamaCpp or ServerKind.Generic;
        if (choices is { Count: > 0 })
        {
            if (vllm)
            {
                json.WriteStartArray("guided_choice");
                foreach (var choice in choices)
                {
                    json.WriteStringValue(choice);
                }

                json.WriteEndArray();
            }

            if (llamaCpp)
            {
                json.WriteString("grammar", ChoicesGrammar(choices));
            }
        }
        else if (grammar is not null)
        {
            if (vllm)
            {
                json.WriteString("guided_grammar", grammar);
            }

            if (llamaCpp)
            {
                json.WriteString("grammar", grammar);
            }
        }
    }

    /// <summary>A GBNF grammar whose only sentences are the given strings (literals escaped as for the embedded runtime).</summary>
    internal static string ChoicesGrammar(IReadOnlyList<string> choices) => "root ::= " + string.Join(" | ", choices.Select(GbnfGrammars.Literal));

    /// <summary>Parses a chat completion body. Each choice becomes one assistant message, in choice order (n > 1 gives several).</summary>
    public static ChatResponse ParseResponse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException($"the body is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the body is not a JSON object");
            }

            // An empty array is a well-formed answer without text: answer validation turns it into a failed attempt.
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("the body has no 'choices'");
            }

            var messages = new List<ChatMessage>();
            ChatFinishReason? finishReason = null;
            foreach (var choice in choices.EnumerateArray())
            {
                if (!choice.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException("a choice has no 'message'");
                }

                var content = message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
                messages.Add(new ChatMessage(ChatRole.Assistant, content));
                if (finishReason is null && choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
                {
                    finishReason = ParseFinishReason(f.GetString()!);
                }
            }

            var response = new ChatResponse(messages) { FinishReason = finishReason };
            if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                response.ResponseId = id.GetString();
            }

            if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
            {
                response.ModelId = model.GetString();
            }

            if (root.TryGetProperty("created", out var created) && created.TryGetInt64(out var seconds))
            {
                response.CreatedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                response.Usage = new UsageDetails
                {
                    InputTokenCount = ReadCount(usage, "prompt_tokens"),
                    OutputTokenCount = ReadCount(usage, "completion_tokens"),
                    TotalTokenCount = ReadCount(usage, "total_tokens"),
                };
            }

            return response;
        }
    }

    private static long? ReadCount(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : null;

    private static ChatFinishReason ParseFinishReason(string value) => value switch
    {
        "stop" or "eos" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(value),
    };
}
