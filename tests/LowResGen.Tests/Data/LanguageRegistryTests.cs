using LowResGen.Data;

namespace LowResGen.Tests.Data;

public class LanguageRegistryTests
{
    [Theory]
    [InlineData("cy", "cym_Latn")]
    [InlineData("cym", "cym_Latn")]
    [InlineData("cy-GB", "cym_Latn")]
    [InlineData("cym_Latn", "cym_Latn")]
    [InlineData("Welsh", "cym_Latn")]
    [InlineData("swa", "swh_Latn")]
    [InlineData("az-AZ", "azj_Latn")]
    public void Resolves_every_code_kind(string code, string flores) =>
        Assert.Equal(flores, LanguageRegistry.Default.Resolve(code).FloresCode);

    [Fact]
    public void Covers_the_eleven_reference_languages()
    {
        foreach (var code in LanguageRegistry.ReferenceLanguages)
        {
            Assert.True(LanguageRegistry.Default.TryResolve(code, out _), code);
        }

        Assert.Equal(11, LanguageRegistry.ReferenceLanguages.Count);
    }

    [Fact]
    public void Unknown_code_names_itself()
    {
        var error = Assert.Throws<ArgumentException>(() => LanguageRegistry.Default.Resolve("xx-YY"));
        Assert.Contains("xx-YY", error.Message);
    }

    [Fact]
    public void Built_in_tasks_have_a_description_for_every_label()
    {
        foreach (var task in BuiltInTasks.All)
        {
            foreach (var label in task.Labels)
            {
                Assert.False(string.IsNullOrWhiteSpace(task.DescriptionOf(label)), $"{task.Name}/{label}");
            }
        }

        Assert.Equal(60, BuiltInTasks.Massive60.Labels.Count);
        Assert.Equal(10, BuiltInTasks.Massive10.Labels.Count);
        Assert.Same(BuiltInTasks.Massive10, TaskResolver.Resolve("intent").Definition);
    }

    [Theory]
    [InlineData("yo", "yo", "yor", "yor_Latn", "Yoruba", "Latn", "")]
    [InlineData("yor", "yo", "yor", "yor_Latn", "Yoruba", "Latn", "")]
    [InlineData("yor_Latn", "yo", "yor", "yor_Latn", "Yoruba", "Latn", "")]
    [InlineData("Yoruba", "yo", "yor", "yor_Latn", "Yoruba", "Latn", "")]
    [InlineData("quy", "", "quy", "quy_Latn", "Ayacucho Quechua", "Latn", "")]
    [InlineData("amh_Ethi", "am", "amh", "amh_Ethi", "Amharic", "Ethi", "am-ET")]
    [InlineData("pt-BR", "pt", "por", "por_Latn", "Portuguese", "Latn", "pt-BR")]
    [InlineData("sr-Cyrl", "sr", "srp", "srp_Cyrl", "Serbian", "Cyrl", "")]
    [InlineData("Basque", "eu", "eus", "eus_Latn", "Basque", "Latn", "")]
    [InlineData("sw", "sw", "swh", "swh_Latn", "Swahili", "Latn", "sw-KE")]
    [InlineData("swh", "sw", "swh", "swh_Latn", "Swahili", "Latn", "sw-KE")]
    [InlineData("zh-Hant", "zh", "zho", "zho_Hant", "Chinese", "Hant", "zh-TW")]
    [InlineData("ar", "ar", "arb", "arb_Arab", "Arabic", "Arab", "ar-SA")]
    [InlineData("sl", "sl", "slv", "slv_Latn", "Slovenian", "Latn", "sl-SL")]
    public void Resolves_any_language_under_every_code(string code, string iso1, string iso3, string flores, string name, string script, string locale)
    {
        var language = LanguageRegistry.Default.Resolve(code);
        Assert.Equal((iso1, iso3, flores, name, script, locale),
            (language.Iso1, language.Iso3, language.FloresCode, language.EnglishName, language.Script, language.MassiveLocale));
        Assert.Equal(iso1.Length > 0 ? iso1 : iso3, language.Code);
    }

    [Fact]
    public void Knows_every_ISO_639_3_language_and_the_FLORES_200_codes_from_its_data_files()
    {
        Assert.True(LanguageRegistry.Default.All.Count > 7800, $"{LanguageRegistry.Default.All.Count} languages");
        Assert.Equal(205, LanguageRegistry.Default.FloresCodes.Count); // FLORES-200's 204 plus SIB-200's nqo_Nkoo
        foreach (var code in LanguageRegistry.Default.FloresCodes)
        {
            var language = LanguageRegistry.Default.Resolve(code);
            Assert.Equal(code, language.FloresCode);
            Assert.Equal(code[4..], language.Script);
        }

        // Every sib200 folder beside the repository is a code the registry knows.
        foreach (var folder in Directory.GetDirectories(Path.Combine(SharedData.Datasets, "sib200")))
        {
            Assert.True(LanguageRegistry.Default.TryResolve(Path.GetFileName(folder), out _), folder);
        }
    }

    [Fact]
    public void Unknown_code_suggests_close_matches()
    {
        var error = Assert.Throws<ArgumentException>(() => LanguageRegistry.Default.Resolve("yor_Latm"));
        Assert.Contains("yor_Latn", error.Message);
        var name = Assert.Throws<ArgumentException>(() => LanguageRegistry.Default.Resolve("Yorubo"));
        Assert.Contains("Yoruba", name.Message);
    }
}
