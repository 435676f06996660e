using LowResGen.Data;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.LlmClassification;

/// <summary>
/// The LLM as a student of the one evaluation protocol: its "fit" is the seeded draw of k demonstrations per label from
/// the training set (<see cref="DemonstrationSampler"/>); zero-shot draws nothing, needs no training data and does not
/// depend on the seed. An answer that names no label is <see cref="Prediction.NoLabel"/>, with the answer kept.
/// </summary>
/// <param name="settingName">The name its text progress is reported under.</param>
public sealed class LlmClassifierTrainer(LlmClassifier classifier, int shots, string? settingName = null, IProgress<LlmRunProgress>? textProgress = null)
    : IClassifierTrainer
{
    public string Name => shots == 0 ? "llm-zero-shot" : $"llm-{shots}-shot";

    public bool UsesSeed => shots > 0;

    public bool NeedsTrainingData => shots > 0;

    public Task<IClassifier> TrainAsync(IReadOnlyList<LabeledText> examples, int seed, CancellationToken cancellationToken)
    {
        IReadOnlyList<Example> demonstrations = shots == 0 ? [] : DemonstrationSampler.Sample(
            [.. examples.Select((e, i) => new Example($"demo-{i}", e.Text, e.Label, "", Splits.Train, "demonstrations"))],
            classifier.Task, shots, seed);
        return Task.FromResult<IClassifier>(new Trained(classifier, demonstrations, settingName ?? Name, seed, textProgress));
    }

    private sealed class Trained(LlmClassifier classifier, IReadOnlyList<Example> demonstrations, string setting, int seed,
        IProgress<LlmRunProgress>? textProgress) : IClassifier
    {
        public IReadOnlyList<string> Labels => classifier.Task.Labels;

        public Prediction Predict(string text) => PredictAsync([text], CancellationToken.None).GetAwaiter().GetResult()[0];

        public async Task<IReadOnlyList<Prediction>> PredictAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            var progress = textProgress is null ? null : new TextProgress(textProgress, setting, seed, texts.Count);
            var answers = await classifier.ClassifyAsync(texts, demonstrations, progress, cancellationToken).ConfigureAwait(false);
            return [.. answers.Select(a => a.Label is null ? Prediction.None(a.Answer) : new Prediction(a.Label, a.Scores) { Answer = a.Answer })];
        }
    }

    private sealed class TextProgress(IProgress<LlmRunProgress> target, string setting, int seed, int total) : IProgress<int>
    {
        public void Report(int value) => target.Report(new LlmRunProgress(setting, seed, value, total));
    }
}
