using System.Globalization;

namespace LowResGen.Evaluation.Classifiers;

/// <summary>The kinds of student a classifier name can ask for.</summary>
public enum ClassifierKind
{
    /// <summary>A trainer registered under a plain name (<c>ngram</c>, test doubles).</summary>
    Named,

    /// <summary><c>encoder:&lt;model&gt;</c>: logistic regression on a frozen encoder's embeddings.</summary>
    Encoder,

    /// <summary><c>ngram+encoder:&lt;model&gt;</c>: n-gram features and the embedding in one model.</summary>
    Fusion,

    /// <summary><c>llm:&lt;model&gt;</c>, <c>llm-&lt;k&gt;-shot:&lt;model&gt;</c>, optionally <c>-logprob</c>: the LLM as a classifier.</summary>
    Llm,

    /// <summary><c>finetune:&lt;model&gt;</c>: reserved for a fine-tuned encoder once a training runtime loads here.</summary>
    FineTune,
}

/// <summary>
/// A parsed classifier name. <c>&lt;model&gt;</c> takes the forms of <c>--model</c> (a GGUF path or cache name, an ONNX
/// folder, <c>http(s)://host/v1#name</c>, a name in llm.toml); everything after the first ':' is the model.
/// </summary>
public sealed record ClassifierName(ClassifierKind Kind, string Text, string? Model, int Shots = 0, bool LogProbability = false)
{
    public static ClassifierName Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return new ClassifierName(ClassifierKind.Named, text, null);
        }

        var kind = text[..colon];
        var model = text[(colon + 1)..].Trim();
        if (model.Length == 0)
        {
            throw new ArgumentException($"Classifier '{text}' names no model after '{kind}:'.", nameof(text));
        }

        if (string.Equals(kind, "encoder", StringComparison.OrdinalIgnoreCase))
        {
            return new ClassifierName(ClassifierKind.Encoder, text, model);
        }

        if (string.Equals(kind, "ngram+encoder", StringComparison.OrdinalIgnoreCase))
        {
            return new ClassifierName(ClassifierKind.Fusion, text, model);
        }

        if (string.Equals(kind, "finetune", StringComparison.OrdinalIgnoreCase))
        {
            return new ClassifierName(ClassifierKind.FineTune, text, model);
        }

        var logProbability = kind.EndsWith("-logprob", StringComparison.OrdinalIgnoreCase);
        var llm = logProbability ? kind[..^"-logprob".Length] : kind;
        if (string.Equals(llm, "llm", StringComparison.OrdinalIgnoreCase))
        {
            return new ClassifierName(ClassifierKind.Llm, text, model, 0, logProbability);
        }

        var parts = llm.Split('-');
        if (parts.Length == 3 && parts[0] == "llm" && parts[2] == "shot"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var shots) && shots > 0)
        {
            return new ClassifierName(ClassifierKind.Llm, text, model, shots, logProbability);
        }

        throw new ArgumentException(
            $"Unknown classifier '{text}': use ngram, encoder:<model>, ngram+encoder:<model>, llm:<model>, llm-<k>-shot:<model> " +
            "(with -logprob before ':' to score labels by log-probability).", nameof(text));
    }
}

/// <summary>The prefixes of parameterised classifier names.</summary>
public static class ClassifierNames
{
    public const string EncoderPrefix = "encoder:";
    public const string FusionPrefix = "ngram+encoder:";

    /// <summary>Several names separated by commas; a model URL's own commas (several endpoints) stay with it when the
    /// next part does not start a classifier name.</summary>
    public static IReadOnlyList<string> Split(string names)
    {
        var result = new List<string>();
        foreach (var part in names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (result.Count > 0 && LooksLikeContinuation(part))
            {
                result[^1] += "," + part;
            }
            else
            {
                result.Add(part);
            }
        }

        return result;
    }

    private static bool LooksLikeContinuation(string part) =>
        part.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || part.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
