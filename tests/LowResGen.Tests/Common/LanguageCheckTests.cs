using LowResGen.Common;
using LowResGen.Data;

namespace LowResGen.Tests.Common;

public sealed class LanguageCheckTests
{
    private static readonly Lazy<LinguaLanguageIdentifier> Lingua = new(() => new LinguaLanguageIdentifier([.. LanguageRegistry.ReferenceLanguages, "yo", "pt"]));

    private static LanguageCheck For(string code) => LanguageCheck.For(LanguageRegistry.Default.Resolve(code), Lingua.Value);

    [Theory]
    [InlineData("yo", "lingua")]
    [InlineData("pt-BR", "lingua")]
    [InlineData("amh_Ethi", "script:Ethi")]
    [InlineData("quy", "script:Latn")]
    [InlineData("sat_Olck", "script:Olck")]
    public void Lingua_where_it_knows_the_language_else_the_script_of_its_FLORES_code(string code, string method) =>
        Assert.Equal(method, For(code).Method);

    [Fact]
    public void The_script_check_rejects_a_line_in_another_script()
    {
        var amharic = For("amh_Ethi");
        Assert.True(amharic.Check("ወደ አዲስ አበባ የባቡር ትኬት ግዛልኝ").Accepted);
        var latin = amharic.Check("Buy me a train ticket to Addis Ababa");
        Assert.False(latin.Accepted);
        Assert.Contains("Ethi", latin.Reason);
        Assert.False(amharic.Check("12:30 !!").Accepted); // no letters at all
    }

    [Fact]
    public void Lingua_rejects_other_languages_and_texts_it_cannot_identify_at_all()
    {
        var yoruba = For("yo");
        Assert.True(yoruba.Check("Mo fẹ́ ra tíkẹ́ẹ̀tì ọkọ̀ ojú irin sí Èkó lọ́la.").Accepted);
        Assert.Equal("en", yoruba.Check("I would like to buy a train ticket to Lagos tomorrow.").Detected);
        var undecidable = yoruba.Check("12345 67890");
        Assert.False(undecidable.Accepted);
        Assert.Contains("confidence 0", undecidable.Reason);
    }

    [Theory]
    [InlineData("yo")]
    [InlineData("amh_Ethi")]
    public void Control_characters_and_replacement_characters_are_always_rejected(string code)
    {
        Assert.Contains("U+FFFD", For(code).Check("ጤና \uFFFD ይስጥልኝ").Reason);
        Assert.Contains("U+0007", For(code).Check("ጤና\u0007ይስጥልኝ").Reason);
        // --no-language-check turns every check off, the broken-character one included, except NUL: the data readers
        // refuse a file holding one, so an accepted NUL would make the generated set unreadable.
        var off = LanguageCheck.For(LanguageRegistry.Default.Resolve(code), null);
        Assert.Equal("off", off.Method);
        Assert.True(off.Check("a\uFFFD").Accepted);
        Assert.True(off.Check("a\u0007b").Accepted);
        var nul = off.Check("a\0b");
        Assert.False(nul.Accepted);
        Assert.Contains("U+0000", nul.Reason);
    }
}
