using System.Text.Json;
using System.Text.RegularExpressions;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Generation;

/// <summary>The judge's answer for one example: accepted or not, a short reason, and the raw answer behind it.</summary>
public sealed record JudgeVerdict(bool Accepted, string Reason, bool Understood, string RawAnswer, long Tokens);

/// <summary>What the judge (and the generation prompt) need to know about the label being generated.</summary>
public sealed record LabelContext(string Task, string Label, string LabelKind, string LanguageName, string? Description)
{
    /// <summary>The label as prompts show it (a task's display name; the value itself when null).</summary>
    public string? DisplayName { get; init; }

    public string ShownLabel => DisplayName ?? Label;
}

/// <summary>
/// The revision step: an LLM reads one generated example and answers whether it belongs to the label and is a good,
/// complete example in the target language, with a short reason. The answer is constrained by a JSON schema where the
/// backend can (served models take it as response_format; the embedded runtime turns it into a GBNF grammar; only one
/// constraint is sent, as vLLM refuses two) and parsed leniently from free text otherwise;
/// an answer that says neither yes nor no rejects the example, with that as the reason.
/// </summary>
public sealed partial class RevisionJudge(IChatClient client, PromptTemplate template)
{
    /// <summary>The JSON schema of the answer: {"verdict": "yes"|"no", "reason": string}.</summary>
    public const string VerdictSchema =
        """{"type":"object","properties":{"verdict":{"type":"string","enum":["yes","no"]},"reason":{"type":"string"}},"required":["verdict","reason"],"additionalProperties":false}""";

    // Parsed once: every judged example asks for the same (immutable) format.
    private static readonly ChatResponseFormat VerdictFormat = ChatResponseFormat.ForJsonSchema(
        JsonDocument.Parse(VerdictSchema).RootElement.Clone(), "verdict", "Whether the example is acceptable, and why.");

    public PromptTemplate Template => template;

    public IReadOnlyList<ChatMessage> BuildMessages(LabelContext label, string text)
    {
        var values = new Dictionary<string, string>
        {
            ["language"] = label.LanguageName,
            ["label"] = label.ShownLabel,
            ["label_kind"] = label.LabelKind,
            ["task"] = label.Task,
            ["text"] = text,
            ["description"] = label.Description ?? "",
        };
        values["description_section"] = label.Description is null ? "" : template.RenderOptional("description", values);
        return
        [
            new ChatMessage(ChatRole.System, template.Render("system", values)),
            new ChatMessage(ChatRole.User, template.Render("user", values)),
        ];
    }

    public static ChatOptions BuildOptions() =>
        new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 120,
            ResponseFormat = VerdictFormat,
        };

    public async Task<JudgeVerdict> JudgeAsync(LabelContext label, string text, CancellationToken cancellationToken)
    {
        var messages = BuildMessages(label, text);
        var response = await client.GetResponseAsync(messages, BuildOptions(), cancellationToken).ConfigureAwait(false);
        var raw = response.Text;
        var tokens = LlmCalls.TokensOf(response, messages, raw);
        return ParseVerdict(raw) is { } parsed
            ? new JudgeVerdict(parsed.Accepted, parsed.Reason, true, raw, tokens)
            : new JudgeVerdict(false, "the judge's answer said neither yes nor no", false, raw, tokens);
    }

    /// <summary>Reads yes/no and a reason from JSON, or from free text ("Yes, it ...", "Verdict: no - ..."); null when neither is found.</summary>
    public static (bool Accepted, string Reason)? ParseVerdict(string raw)
    {
        var text = (raw ?? "").Trim();
        var start = text.IndexOf('{');
        var end = text.LastIndexOf('}');
        if (start >= 0 && end > start)
        {
            try
            {
                using var document = JsonDocument.Parse(text[start..(end + 1)]);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    string? verdict = null;
                    string reason = "";
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        var name = property.Name.ToLowerInvariant();
                        if (name is "verdict" or "answer" or "decision" or "accept" or "accepted" or "valid")
                        {
                            verdict = property.Value.ValueKind switch
                            {
                                JsonValueKind.True => "yes",
                                JsonValueKind.False => "no",
                                JsonValueKind.String => property.Value.GetString(),
                                _ => null,
                            };
                        }
                        else if (name is "reason" or "explanation" or "why" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            reason = property.Value.GetString() ?? "";
                        }
                    }

                    if (YesOrNo(verdict) is { } accepted)
                    {
                        return (accepted, Shorten(reason));
                    }
                }
            }
            catch (JsonException)
            {
                // Broken JSON: read it as free text below.
            }
        }

        var match = FreeTextVerdict().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var rest = ReasonLead().Replace(text[(match.Index + match.Length)..], "").TrimEnd('"', '}', ' ', '\n');
        var word = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
        return (YesOrNo(word)!.Value, Shorten(rest));
    }

    private static bool? YesOrNo(string? word) => word?.Trim().ToLowerInvariant() switch
    {
        "yes" or "y" or "true" or "accept" or "accepted" => true,
        "no" or "n" or "false" or "reject" or "rejected" => false,
        _ => null,
    };

    private static string Shorten(string reason)
    {
        var oneLine = string.Join(' ', reason.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= 300 ? oneLine : oneLine[..300] + "…";
    }

    // Punctuation and a "reason:" label between the verdict and the reason itself.
    [GeneratedRegex(@"^[\s\p{P}]*(?:(?:reason|because|explanation)\b[\s\p{P}]*)?", RegexOptions.IgnoreCase)]
    private static partial Regex ReasonLead();

    // "yes"/"no" as the first word, or after "verdict"/"answer" (with or without JSON quoting around it).
    [GeneratedRegex(@"^\W*(?:(?:verdict|answer|decision)\W*)?\b(yes|no)\b|(?:verdict|answer|decision)\W{0,4}(yes|no)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FreeTextVerdict();
}
