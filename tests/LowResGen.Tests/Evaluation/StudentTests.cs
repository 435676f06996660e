using LowResGen.Data;
using LowResGen.Evaluation;
using LowResGen.Evaluation.Classifiers;
using LowResGen.LlmClassification;

namespace LowResGen.Tests.Evaluation;

public sealed class StudentTests
{
    private static LabeledText[] Train(int perClass = 6) => [.. EvaluationData.Make("train", perClass).Select(e => new LabeledText(e.Text, e.Label))];

    private static string[] TestTexts => [.. EvaluationData.Make("test", 6, offset: 100).Select(e => e.Text)];

    private static string[] TestLabels => [.. EvaluationData.Make("test", 6, offset: 100).Select(e => e.Label)];

    [Fact]
    public async Task Encoder_student_learns_separable_topics_and_is_deterministic()
    {
        var trainer = new EncoderClassifierTrainer(new FakeEncoder(), "fake");
        var first = await trainer.TrainAsync(Train(), 3, CancellationToken.None);
        var second = await trainer.TrainAsync(Train(), 3, CancellationToken.None);

        var a = await first.PredictAsync(TestTexts, CancellationToken.None);
        var b = await second.PredictAsync(TestTexts, CancellationToken.None);
        Assert.Equal(TestLabels, a.Select(p => p.Label));
        Assert.Equal(a.Select(p => p.Scores["music"]), b.Select(p => p.Scores["music"]));
        Assert.All(a, p => Assert.Equal(1.0, p.Scores.Values.Sum(), 9));
        Assert.Equal("encoder:fake(logreg,C=1)", trainer.Name);
    }

    [Fact]
    public async Task Batched_prediction_equals_one_text_at_a_time_and_asks_the_encoder_once()
    {
        var encoder = new FakeEncoder();
        var model = await new EncoderClassifierTrainer(encoder, "fake").TrainAsync(Train(), 0, CancellationToken.None);
        var before = encoder.Requests;

        var batched = await model.PredictAsync(TestTexts, CancellationToken.None);
        Assert.Equal(1, encoder.Requests - before);
        var single = TestTexts.Select(model.Predict).ToArray();
        Assert.Equal(batched.Select(p => p.Scores["food"]), single.Select(p => p.Scores["food"]));
    }

    /// <summary>
    /// Two points, x = +1 (class b) and x = −1 (class a), C = 1: by symmetry the bias is 0 and the weights are ±w with
    /// 2·log(1 + e^(−2w)) + w² minimal, i.e. w = 2σ(−2w), and p(b | x = 1) = σ(2w). w is solved here by bisection,
    /// independently of L-BFGS.
    /// </summary>
    [Fact]
    public void Logistic_head_reaches_the_optimum_of_its_objective()
    {
        double low = 0, high = 2;
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            if (mid - 2 / (1 + Math.Exp(2 * mid)) < 0)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        var w = SoftmaxRegression.Fit([[1f], [-1f]], [1, 0], 2, 1.0, 300, 1e-10, CancellationToken.None);
        var probability = SoftmaxRegression.Probabilities(w, 2, [1f])[1];
        Assert.Equal(1 / (1 + Math.Exp(-2 * low)), probability, 6);
        Assert.Equal(0.0, w[1], 6);
    }

    [Fact]
    public async Task Fusion_with_no_embedding_weight_is_exactly_the_ngram_model()
    {
        var fusion = await new FusionClassifierTrainer(new FakeEncoder(), "fake", new FusionOptions { Mode = FusionMode.Concatenate, EmbeddingWeight = 0 })
            .TrainAsync(Train(), 5, CancellationToken.None);
        var ngram = await new LinearTextClassifierTrainer().TrainAsync(Train(), 5, CancellationToken.None);

        var fused = await fusion.PredictAsync(TestTexts, CancellationToken.None);
        var lexical = TestTexts.Select(ngram.Predict).ToArray();
        for (var i = 0; i < fused.Count; i++)
        {
            Assert.Equal(lexical[i].Label, fused[i].Label);
            Assert.Equal(lexical[i].Scores["weather"], fused[i].Scores["weather"], 5);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public async Task Averaged_fusion_at_the_ends_of_its_weight_predicts_as_the_ngram_or_the_encoder_student(double weight)
    {
        // Standardising each model's scores keeps its ranking, so at weight 0 (1) the average must pick what the n-gram
        // model (the encoder student) picks, on texts where the two disagree too.
        var fusion = await new FusionClassifierTrainer(new FakeEncoder(), "fake", new FusionOptions { Mode = FusionMode.Average, EmbeddingWeight = weight })
            .TrainAsync(Train(), 3, CancellationToken.None);
        IClassifier single = weight == 0
            ? await new LinearTextClassifierTrainer().TrainAsync(Train(), 3, CancellationToken.None)
            : await new EncoderClassifierTrainer(new FakeEncoder(), "fake").TrainAsync(Train(), 3, CancellationToken.None);
        string[] texts = [.. TestTexts, "rain song pasta", "play forecast", "cook wind album", "cloud artist"];

        Assert.Equal((await single.PredictAsync(texts, CancellationToken.None)).Select(p => p.Label),
            (await fusion.PredictAsync(texts, CancellationToken.None)).Select(p => p.Label));
    }

    [Fact]
    public void Stacking_folds_are_stratified_and_seeded()
    {
        var examples = Enumerable.Range(0, 12).Select(i => new LabeledText($"t{i}", i < 8 ? "a" : "b")).ToArray();

        var folds = StackedFusionClassifier.Folds(examples, 5, 7);

        // The smaller class has 4 examples, so 4 folds, each with two of "a" and one of "b".
        Assert.Equal([0, 1, 2, 3], folds.Distinct().Order());
        Assert.All(Enumerable.Range(0, 4), f => Assert.Equal((2, 1),
            (folds.Take(8).Count(x => x == f), folds.Skip(8).Count(x => x == f))));
        Assert.Equal(folds, StackedFusionClassifier.Folds(examples, 5, 7));
        Assert.NotEqual(folds, StackedFusionClassifier.Folds(examples, 5, 8));
    }

    [Theory]
    [InlineData(FusionMode.Concatenate)]
    [InlineData(FusionMode.Average)]
    [InlineData(FusionMode.Stack)]
    public async Task Fusion_student_learns_separable_topics_in_every_mode(FusionMode mode)
    {
        var trainer = new FusionClassifierTrainer(new FakeEncoder(), "fake", new FusionOptions { Mode = mode });
        var model = await trainer.TrainAsync(Train(), 1, CancellationToken.None);

        Assert.Equal(TestLabels, (await model.PredictAsync(TestTexts, CancellationToken.None)).Select(p => p.Label));
        Assert.StartsWith("ngram+encoder:fake(" + mode.ToString().ToLowerInvariant(), trainer.Name);
    }

    [Theory]
    [InlineData("ngram", ClassifierKind.Named, null, 0, false)]
    [InlineData("encoder:models/e5-small", ClassifierKind.Encoder, "models/e5-small", 0, false)]
    [InlineData("ngram+encoder:http://h:8000/v1#bge-m3", ClassifierKind.Fusion, "http://h:8000/v1#bge-m3", 0, false)]
    [InlineData("llm:qwen.gguf", ClassifierKind.Llm, "qwen.gguf", 0, false)]
    [InlineData("llm-5-shot:qwen.gguf", ClassifierKind.Llm, "qwen.gguf", 5, false)]
    [InlineData("llm-3-shot-logprob:qwen.gguf", ClassifierKind.Llm, "qwen.gguf", 3, true)]
    [InlineData("finetune:xlm-r", ClassifierKind.FineTune, "xlm-r", 0, false)]
    public void Classifier_names_parse_into_their_forms(string text, ClassifierKind kind, string? model, int shots, bool logProbability)
    {
        Assert.Equal(new ClassifierName(kind, text, model, shots, logProbability), ClassifierName.Parse(text));
    }

    [Theory]
    [InlineData("encoder:")]
    [InlineData("llm-0-shot:m")]
    [InlineData("bert:m")]
    public void Malformed_classifier_names_are_refused(string text) =>
        Assert.Throws<ArgumentException>(() => ClassifierName.Parse(text));

    [Fact]
    public void Registry_builds_every_student_from_its_name_and_refuses_what_it_cannot_open()
    {
        var encoder = new FakeEncoder();
        var llm = new ScriptedChatClient((_, _) => "food");
        var bare = ClassifierTrainerRegistry.BuiltIn();
        Assert.Contains("needs an encoder", Assert.Throws<ArgumentException>(() => bare.Create("encoder:x")).Message);
        Assert.Contains("training runtime", Assert.Throws<ArgumentException>(() => bare.Create("finetune:xlm-r")).Message);
        Assert.Contains("Unknown classifier 'svm'", Assert.Throws<ArgumentException>(() => bare.Create("svm")).Message);

        var models = new List<string>();
        var registry = bare.WithEncoders(m =>
        {
            models.Add(m);
            return encoder;
        }).WithLlms(_ => llm);
        Assert.IsType<LinearTextClassifierTrainer>(registry.Create("ngram"));
        Assert.IsType<EncoderClassifierTrainer>(registry.Create("encoder:fake"));
        Assert.IsType<FusionClassifierTrainer>(registry.Create("ngram+encoder:fake"));
        var task = new TaskDefinition("topics", EvaluationData.Labels);
        var zeroShot = registry.Create("llm:scripted", task);
        Assert.False(zeroShot.UsesSeed);
        Assert.False(zeroShot.NeedsTrainingData);
        Assert.True(registry.Create("llm-2-shot:scripted", task).UsesSeed);
        Assert.Equal(["fake", "fake"], models);
    }

    [Fact]
    public void Several_classifier_names_split_on_commas_keeping_a_model_urls_endpoints()
    {
        Assert.Equal(["ngram", "encoder:http://a/v1#m,http://b/v1#m", "ngram+encoder:x"],
            ClassifierNames.Split("ngram, encoder:http://a/v1#m,http://b/v1#m, ngram+encoder:x"));
    }
}
