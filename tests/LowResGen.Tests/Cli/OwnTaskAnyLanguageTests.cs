using System.Text.RegularExpressions;
using LowResGen.Cli.Commands;
using LowResGen.Data;
using LowResGen.Data.Import;
using LowResGen.Experiments;
using LowResGen.Generation;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Cli;

/// <summary>
/// A user's own three-label task in languages outside the built-in fifteen, end to end: `tasks init` on their data, names
/// edited, `generate` on a scripted model, `evaluate` with {flores} paths, and the same task file in a study.
/// </summary>
public sealed partial class OwnTaskAnyLanguageTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("own-task-").FullName;
    private FakeOpenAiServer _server = null!;

    /// <summary>Three sentences per label and language, hand-written; values A, C, T are what the data files store.</summary>
    private static readonly Dictionary<string, Dictionary<string, string[]>> Texts = new()
    {
        ["yo"] = new()
        {
            ["A"] = ["Ṣé aago ìdágìrì wà fún ọ̀la ní àárọ̀?", "Àwọn aago ìdágìrì wo ni mo ti ṣètò?", "Ìgbà wo ni aago ìdágìrì mi yóò dún?"],
            ["C"] = ["Báwo ni mo ṣe lè se ọbẹ̀ ẹ̀gúsí?", "Fún mi ní ìlànà láti se ìrẹsì jọ̀lọ́ọ̀fù.", "Kí ni mo nílò láti se àkàrà?"],
            ["T"] = ["Mo fẹ́ ra tíkẹ́ẹ̀tì ọkọ̀ ojú irin sí Èkó lọ́la.", "Bá mi ra tíkẹ́ẹ̀tì ọkọ̀ òfurufú sí Àbújá.", "Ṣé mo lè ra tíkẹ́ẹ̀tì bọ́ọ̀sì sí Ìbàdàn?"],
        },
        ["quy"] = new()
        {
            ["A"] = ["Paqarin tutapaq alarma kachkanchu?", "Mayk'aqtaq alarmay waqanqa?", "Hayka alarmakunatataq churarqani?"],
            ["C"] = ["Imaynatataq papa wayk'uyta yachachiway.", "Qunuy mikhuy ruwanapaq yachachiway.", "Imaynatataq kuyta kankani?"],
            ["T"] = ["Limaman tren bilittata rantiyta munani.", "Qusquman avion bilittata rantipuway.", "Ayacuchoman bus bilittata rantiyman?"],
        },
        ["amh_Ethi"] = new()
        {
            ["A"] = ["ነገ ጠዋት ማንቂያ አለ?", "ምን ያህል ማንቂያዎች አዘጋጅቻለሁ?", "ማንቂያዬ መቼ ይደውላል?"],
            ["C"] = ["የዶሮ ወጥ አሰራር ንገረኝ", "እንጀራ እንዴት እጋግራለሁ?", "የሽሮ ወጥ አሰራር አሳየኝ"],
            ["T"] = ["ወደ አዲስ አበባ የባቡር ትኬት ግዛልኝ", "ወደ ጎንደር የአውሮፕላን ትኬት እፈልጋለሁ", "ወደ ባህር ዳር የአውቶቡስ ትኬት ግዛልኝ"],
        },
        // Santali in Ol Chiki: no Lingua model, so the script check runs (short phrases written for this test).
        ["sat_Olck"] = new()
        {
            ["A"] = ["ᱮᱞᱟᱨᱢ ᱢᱮᱱᱟᱜ-ᱟ ᱥᱮ?", "ᱛᱤᱧ ᱮᱞᱟᱨᱢ ᱵᱟᱡᱟᱣ-ᱟ?", "ᱟᱭᱩᱵ ᱮᱞᱟᱨᱢ ᱫᱚ ᱪᱮᱫ?"],
            ["C"] = ["ᱫᱟᱠᱟ ᱤᱧᱛᱮ ᱵᱮᱵᱚᱥᱛᱷᱟ ᱢᱮ", "ᱡᱚᱞ ᱩᱭᱩᱜ ᱨᱮᱥᱤᱯᱤ", "ᱥᱩᱱᱩᱢ ᱵᱟᱜᱟᱱ ᱨᱮᱥᱤᱯᱤ"],
            ["T"] = ["ᱨᱮᱞ ᱴᱤᱠᱤᱴ ᱠᱤᱨᱤᱧ ᱢᱮ", "ᱵᱟᱥ ᱴᱤᱠᱤᱴ ᱠᱤᱨᱤᱧ", "ᱦᱟᱣᱟᱭ ᱴᱤᱠᱤᱴ ᱞᱟᱹᱜᱤᱫ"],
        },
        ["pt-BR"] = new()
        {
            ["A"] = ["Quais alarmes eu tenho para amanhã de manhã?", "A que horas o meu despertador vai tocar?", "Tem algum alarme programado para sábado?"],
            ["C"] = ["Como eu faço feijoada em casa?", "Me passa a receita de pão de queijo, por favor.", "Qual é a receita de um bom brigadeiro?"],
            ["T"] = ["Quero comprar uma passagem de ônibus para São Paulo.", "Compra uma passagem de avião para Brasília amanhã.", "Preciso de uma passagem de trem para Campinas."],
        },
    };

    private static readonly Dictionary<string, string> Names = new()
    {
        ["A"] = "asking about alarms",
        ["C"] = "asking for a recipe",
        ["T"] = "buying a ticket",
    };

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _server.Responder = r => Answer(r.LastUserMessage, "yo");
        foreach (var (code, byLabel) in Texts)
        {
            var flores = LanguageRegistry.Default.Resolve(code).FloresCode;
            var folder = Directory.CreateDirectory(Path.Combine(_root, "data", flores)).FullName;
            var rows = byLabel.SelectMany(kv => kv.Value.Select(text => $"\"{text}\",{kv.Key}")).ToArray();
            await File.WriteAllTextAsync(Path.Combine(folder, "train.csv"), "text,category\n" + string.Join('\n', rows) + "\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "test.csv"), "text,category\n" + string.Join('\n', rows) + "\n");
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    /// <summary>The scripted model: the asked label's texts (found by its display name), plus one English line for the checks to catch.</summary>
    private static string Answer(string prompt, string language)
    {
        var shown = AskedLabel().Match(prompt).Groups[1].Value;
        var value = Names.Single(n => n.Value == shown).Key;
        return string.Join('\n', Texts[language][value].Append("I would like to buy a train ticket to the city tomorrow."));
    }

    [GeneratedRegex("whose request is \"([^\"]+)\"")]
    private static partial Regex AskedLabel();

    private string TaskFile => Path.Combine(_root, "requests.toml");

    private async Task InitTaskAsync()
    {
        var init = await CliProcess.RunAsync("tasks", "init", Path.Combine(_root, "data", "yor_Latn", "train.csv"), "--output", TaskFile);
        Assert.Equal(0, init.ExitCode);
        var toml = await File.ReadAllTextAsync(TaskFile);
        Assert.Contains("[[labels]]  # 3 examples in train.csv", toml);
        Assert.Equal(["A", "C", "T"], LowResGen.Data.TaskFile.Parse(toml, TaskFile).Labels);
        // What the user edits: the kind of label and the names an LLM sees.
        toml = toml.Replace("label_kind = \"label\"", "label_kind = \"request\"");
        foreach (var (value, name) in Names)
        {
            toml = toml.Replace($"name = \"{value}\"", $"name = \"{name}\"");
        }

        await File.WriteAllTextAsync(TaskFile, toml);
    }

    [Fact]
    public async Task Init_generate_evaluate_and_a_study_with_a_hand_made_task_in_four_new_languages()
    {
        await InitTaskAsync();
        var show = await CliProcess.RunAsync("tasks", "show", TaskFile);
        Assert.Contains("T = \"buying a ticket\"", show.Stdout);

        foreach (var code in Texts.Keys)
        {
            var language = LanguageRegistry.Default.Resolve(code);
            var client = new ScriptedChatClient((messages, _) => Answer(messages[^1].Text, code));
            var settings = new GenerateCommand.GenerateSettings(TaskFile, code, "target-demos:k=2", 3,
                Path.Combine(_root, "data", "{flores}", "train.csv"), Path.Combine(_root, "generated", language.Code), null, LanguageCheck: true,
                new GenerationOptions { ModelId = "scripted", MaxAttemptsPerClass = 2, Seed = 1 });
            var output = new StringWriter();
            Assert.Equal(0, await GenerateCommand.RunAsync(settings, client, output, CancellationToken.None));

            // Prompts show display names, never the stored values; outputs hold the values.
            Assert.All(client.Requests, r => Assert.DoesNotContain("whose request is \"A\"", r.Messages[^1].Text));
            Assert.Contains(client.Requests, r => r.Messages[^1].Text.Contains("\"buying a ticket\"", StringComparison.Ordinal));
            var generated = Path.Combine(_root, "generated", language.Code, $"{language.Code}-generated.csv");
            var read = await ExampleFiles.ReadAsync(generated, new ImportOptions { Task = TaskResolver.Resolve(TaskFile).Definition }, CancellationToken.None);
            Assert.Equal(9, read.Examples.Count);
            Assert.Equal(["A", "C", "T"], read.Examples.Select(e => e.Label).Distinct().Order());

            // The English line is caught by Lingua (yo, pt) or by the script check (Amharic); Quechua's Latin script cannot tell.
            var printed = output.ToString();
            var expected = LowResGen.Common.LinguaLanguageIdentifier.LinguaKnows(language.Code) ? "lingua" : "script:" + language.Script;
            Assert.Equal(code is "quy" or "sat_Olck" ? "script:" + language.Script : "lingua", expected);
            Assert.True(printed.Contains("language check: " + expected, StringComparison.Ordinal), printed);
            var rejected = await File.ReadAllTextAsync(Path.Combine(_root, "generated", language.Code, $"{language.Code}-rejected.csv"));
            if (code != "quy")
            {
                Assert.Contains("I would like to buy a train ticket", rejected);
                Assert.Contains(",language,", rejected);
            }
        }

        var evaluate = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "evaluate", "--task", TaskFile, "--languages", string.Join(',', Texts.Keys),
            "--train", $"gold={_root}/data/{{flores}}/train.csv", "--train", $"generated={_root}/generated/{{lang}}/{{lang}}-generated.csv",
            "--test", $"{_root}/data/{{flores}}/test.csv", "--seeds", "2", "--per-class", "3", "--no-plots", "--output", Path.Combine(_root, "eval"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        foreach (var code in Texts.Keys)
        {
            var results = await File.ReadAllLinesAsync(Path.Combine(_root, "eval", code, "results.csv"));
            Assert.Equal(5, results.Length); // header + 2 settings x 2 seeds
        }

        await File.WriteAllTextAsync(Path.Combine(_root, "study.toml"), $"""
            name = "own-task"
            output = "study-out"
            tasks = ["requests.toml"]
            languages = ["yo"]
            strategies = ["target-demos:k=2"]
            seeds = 2
            per_class = 3
            max_attempts = 2
            language_check = true

            [data]
            train = "data/{"{flores}"}/train.csv"
            test = "data/{"{flores}"}/test.csv"

            [[models]]
            name = "fake"
            model = "{_server.BaseUrl.AbsoluteUri.TrimEnd('/')}#fake-generator"
            """);
        var study = await StudyDefinition.LoadAsync(Path.Combine(_root, "study.toml"), CancellationToken.None);
        await using var executor = StudyCellExecutor.Create(study);
        var run = await StudyService.RunAsync(study, ShardSpec.Whole, executor, null, CancellationToken.None);
        Assert.Empty(run.Failures);
        Assert.Equal(3, run.Ran); // gold, generate, evaluate
        var studyGenerated = Directory.GetFiles(study.OutputDirectory, "yo-generated.csv", SearchOption.AllDirectories).Single();
        Assert.Equal(9, (await ExampleFiles.ReadAsync(studyGenerated, new ImportOptions { Task = study.TaskOf("requests") }, CancellationToken.None)).Examples.Count);
        Assert.All(_server.Requests.Where(r => r.LastUserMessage.Contains("whose request is", StringComparison.Ordinal)),
            r => Assert.Contains("Yoruba", r.LastUserMessage));
    }

    [Fact]
    public async Task A_study_and_generate_resolve_the_same_files_and_data_needs()
    {
        await InitTaskAsync();
        var studyFile = Path.Combine(_root, "same.toml");
        await File.WriteAllTextAsync(studyFile, """
            tasks = ["requests.toml"]
            languages = ["amh_Ethi"]
            strategies = ["target-demos", "english-demos+revision", "human-desc", "sl"]
            [data]
            train = "data/{flores}/train.csv"
            test = "data/{flores}/test.csv"
            [[models]]
            name = "m"
            model = "x.gguf"
            """);
        var study = await StudyDefinition.LoadAsync(studyFile, CancellationToken.None);
        var previous = Directory.GetCurrentDirectory();
        foreach (var strategy in study.Strategies.Select(GenerationStrategy.Parse))
        {
            var viaStudy = study.GenerationDataFor("requests", "am", strategy);
            var viaCli = GenerateCommand.DataPathsFor(new GenerateCommand.GenerateSettings(TaskFile, "amh_Ethi", strategy.Name, 3,
                Path.Combine(_root, "data", "{flores}", "train.csv"), _root, null, false, new GenerationOptions()), strategy);
            Assert.Equal(viaCli, viaStudy);
            Assert.Equal(strategy.NeedsTargetTrainingData, viaStudy.Target is not null);
            Assert.Equal(strategy.NeedsEnglishTrainingData, viaStudy.English is not null);
        }

        Assert.Equal(Path.Combine(_root, "data", "amh_Ethi", "train.csv"), study.GenerationDataFor("requests", "am", GenerationStrategy.Parse("sl")).Target);
        Assert.Equal(Path.Combine(_root, "data", "eng_Latn", "train.csv"), study.GenerationDataFor("requests", "am", GenerationStrategy.Parse("english-demos")).English);
        Assert.Equal(previous, Directory.GetCurrentDirectory());
    }
}
