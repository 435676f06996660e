using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Tests.Evaluation;

/// <summary>few-gold:k and NAME+mix:k as `evaluate` settings, on the shared Welsh intent data: exact training sets.</summary>
public sealed class GoldSettingsTests : IDisposable
{
    private readonly string _directory = EvaluationData.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Few_gold_trains_on_k_per_class_and_mix_adds_the_same_k_gold_per_class_to_every_seed()
    {
        var gold = SharedData.Kinit("intent", "cy", "train_human_parsed");
        var generated = SharedData.Kinit("intent", "cy", "train_full");
        var trainer = new RecordingTrainer(new LinearTextClassifierTrainer());
        var request = new EvaluationRequest
        {
            Train = [new("gold", gold), new("few-gold:3", gold), new("generated+mix:2", generated), new("transfer", SharedData.Kinit("intent", "en", "train_human_parsed"))],
            Test = SharedData.Kinit("intent", "cy", "test"),
            OutputDirectory = _directory,
            Tasks = ["intent"],
            Languages = ["cy"],
            Options = new EvaluationOptions { Seeds = 2, PerClass = 5, WritePlots = false },
        };
        var summary = (await new EvaluationBatch(trainer).RunAsync(request, null, CancellationToken.None).ToListAsync()).Single().Summary;
        Assert.Equal(["gold", "few-gold:3", "generated+mix:2", "transfer"], summary.Settings.Select(s => s.Name));

        var labels = BuiltInTasks.Massive10.Labels.Count;
        var sets = trainer.Sets.ToArray();
        Assert.Equal(2, sets.Count(s => s.Count == labels * 3)); // few-gold:3, each seed
        Assert.All(sets.Where(s => s.Count == labels * 3), s => Assert.All(s.GroupBy(t => t.Label), g => Assert.Equal(3, g.Count())));
        var mixed = sets.Where(s => s.Count == labels * (5 + 2)).ToArray();
        Assert.Equal(2, mixed.Length);
        var welsh = (await ExampleFiles.ReadAsync(gold, new ImportOptions { Language = "cy", Task = BuiltInTasks.Massive10 }, CancellationToken.None)).Examples;
        var added = TrainingSetSampler.Balance(welsh, 2, 0);
        Assert.Equal(labels * 2, added.Count);
        Assert.All(mixed, s => Assert.All(added, a => Assert.Contains(s, t => t.Text == request.Options.Normalization.Apply(a.Text) && t.Label == a.Label)));
        Assert.Equal(3, summary.Settings.Single(s => s.Name == "few-gold:3").Used!.Max);

        // mix:k takes its gold from the setting named gold; without one it is an error that says so.
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await new EvaluationBatch(trainer)
            .RunAsync(request with { Train = [new("generated+mix:2", generated)], OutputDirectory = Path.Combine(_directory, "x") }, null, CancellationToken.None).ToListAsync());
        Assert.Contains("--train gold=FILE", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GoldSettings.Apply([new EvaluationSetting("few-gold:0", welsh)], null).ToList());
    }
}
