using System.Collections.Concurrent;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Tests;

/// <summary>Trains the real classifier and keeps every training set it was given, so a test sees exactly what a setting trained on.</summary>
internal sealed class RecordingTrainer(IClassifierTrainer inner) : IClassifierTrainer
{
    public ConcurrentQueue<IReadOnlyList<LabeledText>> Sets { get; } = new();

    public string Name => inner.Name;

    public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        Sets.Enqueue([.. examples]);
        return inner.TrainAsync(examples, seed, cancellationToken);
    }
}
