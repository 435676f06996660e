using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Evaluation;

/// <summary>
/// Classifier trainers by name, so a command line or a config file can choose one. Immutable: <see cref="With"/>
/// returns a new registry (tests add their own test-double trainers this way).
/// </summary>
public sealed class ClassifierTrainerRegistry
{
    /// <summary>The name the evaluation uses when none is given.</summary>
    public const string DefaultName = "ngram";

    private readonly Dictionary<string, Func<IClassifierTrainer>> _factories;

    public ClassifierTrainerRegistry(IEnumerable<KeyValuePair<string, Func<IClassifierTrainer>>> factories)
    {
        _factories = new Dictionary<string, Func<IClassifierTrainer>>(factories, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The trainers that ship with LowResGen.</summary>
    public static ClassifierTrainerRegistry BuiltIn() => new(
    [
        new(DefaultName, () => new LowResGen.Evaluation.Classifiers.LinearTextClassifierTrainer()),
    ]);

    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public ClassifierTrainerRegistry With(string name, Func<IClassifierTrainer> factory) =>
        new(_factories.Where(p => !string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Append(new(name, factory)));

    public IClassifierTrainer Create(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new ArgumentException(
                $"Unknown classifier '{name}'. Available: {(_factories.Count == 0 ? "(none registered)" : string.Join(", ", Names))}.",
                nameof(name));
}
