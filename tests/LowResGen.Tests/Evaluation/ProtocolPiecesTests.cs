using LowResGen.Data;
using LowResGen.Evaluation;

namespace LowResGen.Tests.Evaluation;

public class ProtocolPiecesTests
{
    private static IReadOnlyList<Example> Unbalanced() =>
    [
        .. Enumerable.Range(0, 50).Select(i => new Example($"a{i}", $"text a {i}", "a", "en", "train", "t")),
        .. Enumerable.Range(0, 5).Select(i => new Example($"b{i}", $"text b {i}", "b", "en", "train", "t")),
    ];

    [Fact]
    public void Balance_caps_each_class_and_is_deterministic_for_a_seed()
    {
        var data = Unbalanced();
        var first = TrainingSetSampler.Balance(data, 10, seed: 3);
        var again = TrainingSetSampler.Balance(data, 10, seed: 3);
        var other = TrainingSetSampler.Balance(data, 10, seed: 4);
        Assert.Equal(10, first.Count(e => e.Label == "a"));
        Assert.Equal(5, first.Count(e => e.Label == "b"));
        Assert.Equal(first.Select(e => e.Id), again.Select(e => e.Id));
        Assert.NotEqual(first.Select(e => e.Id), other.Select(e => e.Id));
    }

    [Fact]
    public void Reference_normalization_lowercases_and_strips_punctuation_but_keeps_letters()
    {
        Assert.Equal("mae twrci wedi i amgylchynu", TextNormalization.Reference.Apply("Mae Twrci wedi'i amgylchynu!"));
        Assert.Equal("Hello, World", TextNormalization.None.Apply("Hello, World"));
        Assert.Equal("ใครเป็นคน", TextNormalization.Reference.Apply("ใครเป็นคน?"));
    }
}
