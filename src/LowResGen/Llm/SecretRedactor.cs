using System.Text.RegularExpressions;

namespace LowResGen.Llm;

/// <summary>
/// Removes secrets from text before it is logged or put in an exception: the known key values themselves, plus anything
/// that looks like a bearer token or an OpenAI-style key, in case a server echoes a key we do not know.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "[REDACTED]";

    public static string Redact(string text, params IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets)
        {
            // Very short "keys" (e.g. "x" for a local server) would mangle ordinary text; they protect nothing anyway.
            if (secret is { Length: >= 6 })
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = BearerToken().Replace(text, "Bearer " + Mask);
        return OpenAiStyleKey().Replace(text, Mask);
    }

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9._~+/=-]{6,}", RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\b(sk|pk|hf|gsk|xai)[-_][A-Za-z0-9_-]{8,}")]
    private static partial Regex OpenAiStyleKey();
}
