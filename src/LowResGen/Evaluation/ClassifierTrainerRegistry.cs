using LowResGen.Data;
using LowResGen.Encoders;
using LowResGen.Evaluation.Classifiers;
using LowResGen.LlmClassification;
using Microsoft.Extensions.AI;

namespace LowResGen.Evaluation;

/// <summary>
/// Students by name, so a command line or a study file can choose them: plain names (<c>ngram</c>, test doubles) and the
/// parameterised forms of <see cref="ClassifierName"/> (<c>encoder:&lt;model&gt;</c>, <c>ngram+encoder:&lt;model&gt;</c>,
/// <c>llm:&lt;model&gt;</c>, <c>llm-&lt;k&gt;-shot:&lt;model&gt;</c>). The models behind the parameterised forms come from
/// resolvers (an encoder factory, an LLM client factory) so that the registry opens nothing itself. Immutable:
/// <see cref="With"/> and the <c>With…</c> methods return a new registry (tests add their own trainers this way).
/// </summary>
public sealed class ClassifierTrainerRegistry
{
    /// <summary>The name the evaluation uses when none is given.</summary>
    public const string DefaultName = "ngram";

    private readonly Dictionary<string, Func<IClassifierTrainer>> _factories;
    private readonly Func<string, IEmbeddingGenerator<string, Embedding<float>>>? _encoders;
    private readonly Func<string, IChatClient>? _llms;

    public ClassifierTrainerRegistry(IEnumerable<KeyValuePair<string, Func<IClassifierTrainer>>> factories)
        : this(new Dictionary<string, Func<IClassifierTrainer>>(factories, StringComparer.OrdinalIgnoreCase), null, null)
    {
    }

    private ClassifierTrainerRegistry(Dictionary<string, Func<IClassifierTrainer>> factories,
        Func<string, IEmbeddingGenerator<string, Embedding<float>>>? encoders, Func<string, IChatClient>? llms)
    {
        _factories = factories;
        _encoders = encoders;
        _llms = llms;
    }

    /// <summary>The trainers that ship with LowResGen; parameterised forms need <see cref="WithEncoders"/> / <see cref="WithLlms"/>.</summary>
    public static ClassifierTrainerRegistry BuiltIn() => new(
    [
        new(DefaultName, () => new LinearTextClassifierTrainer()),
    ]);

    /// <summary>
    /// <see cref="BuiltIn"/> with encoders opened by <see cref="EncoderFactory"/> on first use (one per model, shared by
    /// every trainer that names it), embeddings cached in <paramref name="embeddingCache"/> when given.
    /// </summary>
    public static ClassifierTrainerRegistry WithDefaultEncoders(string? embeddingCache = null)
    {
        var options = new EncoderFactoryOptions { CachePath = embeddingCache };
        var opened = new System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<IEmbeddingGenerator<string, Embedding<float>>>>(StringComparer.Ordinal);
        return BuiltIn().WithEncoders(model => opened.GetOrAdd(model, m => new(() => EncoderFactory.Create(m, options))).Value);
    }

    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public ClassifierTrainerRegistry With(string name, Func<IClassifierTrainer> factory) =>
        new(new Dictionary<string, Func<IClassifierTrainer>>(
            _factories.Where(p => !string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Append(new(name, factory)),
            StringComparer.OrdinalIgnoreCase), _encoders, _llms);

    /// <summary>Where <c>encoder:&lt;model&gt;</c> and <c>ngram+encoder:&lt;model&gt;</c> get their encoder (shared, not disposed here).</summary>
    public ClassifierTrainerRegistry WithEncoders(Func<string, IEmbeddingGenerator<string, Embedding<float>>> encoders) =>
        new(_factories, encoders, _llms);

    /// <summary>Where the LLM classifier forms get their chat client (shared, not disposed here).</summary>
    public ClassifierTrainerRegistry WithLlms(Func<string, IChatClient> llms) => new(_factories, _encoders, llms);

    /// <summary>Checks a name without opening any model: unknown names and missing resolvers fail here, before a run.</summary>
    public ClassifierName Validate(string name)
    {
        var parsed = ClassifierName.Parse(name);
        _ = parsed.Kind switch
        {
            ClassifierKind.Named when !_factories.ContainsKey(parsed.Text) => throw Unknown(name),
            ClassifierKind.Encoder or ClassifierKind.Fusion when _encoders is null =>
                throw new ArgumentException($"Classifier '{name}' needs an encoder, and none can be opened here.", nameof(name)),
            ClassifierKind.Llm when _llms is null =>
                throw new ArgumentException($"Classifier '{name}' needs an LLM, and none can be opened here.", nameof(name)),
            ClassifierKind.FineTune => throw new ArgumentException(
                $"Classifier '{name}': fine-tuning needs a training runtime (TorchSharp) that does not load on this platform; " +
                "use encoder:<model> (a trained head on the frozen encoder) instead.", nameof(name)),
            _ => true,
        };
        return parsed;
    }

    /// <param name="task">The task's labels; needed by the LLM forms (a zero-shot prompt lists the labels), ignored otherwise.</param>
    public IClassifierTrainer Create(string name, TaskDefinition? task = null)
    {
        var parsed = Validate(name);
        return parsed.Kind switch
        {
            ClassifierKind.Named => _factories[parsed.Text](),
            ClassifierKind.Encoder => new EncoderClassifierTrainer(_encoders!(parsed.Model!), parsed.Model!),
            ClassifierKind.Fusion => new FusionClassifierTrainer(_encoders!(parsed.Model!), parsed.Model!),
            ClassifierKind.Llm => new LlmClassifierTrainer(
                new LlmClassifier(_llms!(parsed.Model!), task ?? throw new ArgumentException($"Classifier '{name}' needs the task's labels.", nameof(task)),
                    new LlmClassifierOptions { Scoring = parsed.LogProbability ? LlmScoring.LogProbability : LlmScoring.Generate }),
                parsed.Shots),
            _ => throw Unknown(name),
        };
    }

    private ArgumentException Unknown(string name) => new(
        $"Unknown classifier '{name}'. Available: {(_factories.Count == 0 ? "(none registered)" : string.Join(", ", Names))}, " +
        "encoder:<model>, ngram+encoder:<model>, llm:<model>, llm-<k>-shot:<model>.", nameof(name));
}
