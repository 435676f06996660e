using LowResGen.Data.Import;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;

namespace LowResGen.Tests.Classifiers;

public class LinearTextClassifierTests
{
    private static readonly LabeledText[] Toy =
    [
        new("the cat sat on the mat", "animals"),
        new("a dog barked at the cat", "animals"),
        new("my dog chased a bird", "animals"),
        new("the bird and the cat", "animals"),
        new("the car drove down the road", "vehicles"),
        new("a truck parked by the car", "vehicles"),
        new("my truck needs new tyres", "vehicles"),
        new("the bus and the car", "vehicles"),
    ];

    private static async Task<(IReadOnlyList<LabeledText> Train, IReadOnlyList<LabeledText> Test)> KinitIntentEnglishAsync()
    {
        var options = new ImportOptions { Language = "en" };
        var gold = await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "en", "train_human_parsed"), options, CancellationToken.None);
        var test = await ExampleFiles.ReadAsync(SharedData.Kinit("intent", "en", "test"), options, CancellationToken.None);
        var normalize = TextNormalization.Reference;
        return ([.. TrainingSetSampler.Balance(gold.Examples, 50, seed: 1).Select(e => new LabeledText(normalize.Apply(e.Text), e.Label))],
            [.. test.Examples.Select(e => new LabeledText(normalize.Apply(e.Text), e.Label))]);
    }

    [Fact]
    public async Task Learns_a_separable_toy_task_and_generalises_to_new_sentences()
    {
        var model = await new LinearTextClassifierTrainer().TrainAsync(Toy, seed: 0, CancellationToken.None);

        Assert.Equal(["animals", "vehicles"], model.Labels);
        Assert.All(Toy, example => Assert.Equal(example.Label, model.Predict(example.Text).Label));
        Assert.Equal("animals", model.Predict("a cat and a dog").Label);
        Assert.Equal("vehicles", model.Predict("the trucks on the road").Label);
    }

    [Fact]
    public async Task Beats_the_majority_baseline_by_a_wide_margin_on_real_intent_data()
    {
        var (train, test) = await KinitIntentEnglishAsync();
        var model = await new LinearTextClassifierTrainer().TrainAsync(train, seed: 1, CancellationToken.None);

        var accuracy = test.Count(e => model.Predict(e.Text).Label == e.Label) / (double)test.Count;
        var majority = test.GroupBy(e => e.Label).Max(g => g.Count()) / (double)test.Count;
        Assert.True(accuracy > 0.85, $"accuracy {accuracy:F3}");
        Assert.True(accuracy > majority + 0.5, $"accuracy {accuracy:F3} vs majority {majority:F3}");
    }

    [Fact]
    public async Task Is_deterministic_for_a_seed_and_independent_of_parallel_training()
    {
        var (train, test) = await KinitIntentEnglishAsync();
        var texts = test.Take(60).Select(e => e.Text).ToList();
        var parallel = await new LinearTextClassifierTrainer().TrainAsync(train, seed: 7, CancellationToken.None);
        var again = await new LinearTextClassifierTrainer().TrainAsync(train, seed: 7, CancellationToken.None);
        var sequential = await new LinearTextClassifierTrainer(new LinearTextClassifierOptions { Parallel = false })
            .TrainAsync(train, seed: 7, CancellationToken.None);

        var expected = texts.Select(t => ((LinearTextClassifier)parallel).DecisionValues(t)).ToList();
        Assert.Equal(expected, texts.Select(t => ((LinearTextClassifier)again).DecisionValues(t)));
        Assert.Equal(expected, texts.Select(t => ((LinearTextClassifier)sequential).DecisionValues(t)));
    }

    [Fact]
    public async Task Different_seeds_visit_examples_in_a_different_order()
    {
        // Dual coordinate descent stops at a tolerance, so the visiting order (the seed) shows in the weights.
        var (train, test) = await KinitIntentEnglishAsync();
        var first = (LinearTextClassifier)await new LinearTextClassifierTrainer().TrainAsync(train, seed: 1, CancellationToken.None);
        var second = (LinearTextClassifier)await new LinearTextClassifierTrainer().TrainAsync(train, seed: 2, CancellationToken.None);

        Assert.NotEqual(first.DecisionValues(test[0].Text), second.DecisionValues(test[0].Text));
    }

    [Fact]
    public async Task Scores_are_probabilities_over_the_training_labels_and_the_label_has_the_highest()
    {
        var model = await new LinearTextClassifierTrainer().TrainAsync(Toy, seed: 0, CancellationToken.None);

        foreach (var text in new[] { "the cat", "a red truck", "", "zzzz qqqq never seen" })
        {
            var prediction = model.Predict(text);
            Assert.Equal(model.Labels.Order(), prediction.Scores.Keys.Order());
            Assert.Equal(1.0, prediction.Scores.Values.Sum(), precision: 9);
            Assert.All(prediction.Scores.Values, s => Assert.InRange(s, 0.0, 1.0));
            Assert.Equal(prediction.Scores.Values.Max(), prediction.Confidence);
        }

        Assert.True(model.Predict("the cat and the dog").Confidence > 0.6);
    }

    [Fact]
    public async Task Predicting_from_many_threads_gives_the_same_answers()
    {
        var (train, test) = await KinitIntentEnglishAsync();
        var model = await new LinearTextClassifierTrainer().TrainAsync(train, seed: 3, CancellationToken.None);
        var texts = test.Select(e => e.Text).ToArray();
        var sequential = texts.Select(t => model.Predict(t).Label).ToArray();

        var concurrent = new string[texts.Length];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = model.Predict(texts[i]).Label);

        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public async Task Rejects_an_empty_training_set_and_empty_labels_with_clear_errors()
    {
        var trainer = new LinearTextClassifierTrainer();

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => trainer.TrainAsync([], 0, CancellationToken.None));
        Assert.Contains("empty training set", empty.Message);
        var unlabeled = await Assert.ThrowsAsync<ArgumentException>(
            () => trainer.TrainAsync([new("a text", "x"), new("another", " ")], 0, CancellationToken.None));
        Assert.Contains("example 1", unlabeled.Message);
    }

    [Fact]
    public async Task Rejects_invalid_options()
    {
        var trainer = new LinearTextClassifierTrainer(new LinearTextClassifierOptions { C = 0 });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => trainer.TrainAsync(Toy, 0, CancellationToken.None));
        var noFeatures = new LinearTextClassifierTrainer(new LinearTextClassifierOptions { MaxWordNgram = 0, MinCharNgram = 0 });
        await Assert.ThrowsAsync<ArgumentException>(() => noFeatures.TrainAsync(Toy, 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_single_class_training_set_always_predicts_that_class()
    {
        var model = await new LinearTextClassifierTrainer().TrainAsync([new("one", "only"), new("two", "only")], 0, CancellationToken.None);

        var prediction = model.Predict("anything at all");
        Assert.Equal("only", prediction.Label);
        Assert.Equal(1.0, prediction.Confidence);
    }

    [Fact]
    public void Name_changes_with_the_settings_that_matter()
    {
        var name = new LinearTextClassifierTrainer().Name;

        Assert.StartsWith("linear-svm(", name);
        Assert.NotEqual(name, new LinearTextClassifierTrainer(new LinearTextClassifierOptions { C = 1 }).Name);
        Assert.NotEqual(name, new LinearTextClassifierTrainer(new LinearTextClassifierOptions { CharacterWeight = 0.5 }).Name);
    }

    [Fact]
    public void Character_ngrams_are_taken_inside_padded_words_like_fastText()
    {
        var extractor = new NgramFeatureExtractor(new LinearTextClassifierOptions { MaxWordNgram = 0, MinCharNgram = 2, MaxCharNgram = 5 });
        var counts = new Dictionary<ulong, int>();

        extractor.Extract("ab", counts);
        // <a ab b> <ab ab> <ab>
        Assert.Equal(6, counts.Count);
        extractor.Extract("ab ab", counts);
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(2, c));
    }

    [Fact]
    public void Word_ngrams_are_order_sensitive()
    {
        var extractor = new NgramFeatureExtractor(new LinearTextClassifierOptions { MaxWordNgram = 2, MinCharNgram = 0 });
        var forward = new Dictionary<ulong, int>();
        var backward = new Dictionary<ulong, int>();

        extractor.Extract("red car", forward);
        extractor.Extract("car red", backward);
        Assert.Equal(3, forward.Count);
        Assert.Equal(2, forward.Keys.Intersect(backward.Keys).Count());
    }
}
