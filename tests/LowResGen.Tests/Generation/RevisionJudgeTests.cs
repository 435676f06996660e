using LowResGen.Generation;
using LowResGen.Llm;
using Microsoft.Extensions.AI;

namespace LowResGen.Tests.Generation;

public class RevisionJudgeTests
{
    [Theory]
    [InlineData("{\"verdict\": \"yes\", \"reason\": \"clear request\"}", true, "clear request")]
    [InlineData("```json\n{\"verdict\":\"no\",\"reason\":\"about weather, not alarms\"}\n```", false, "about weather, not alarms")]
    [InlineData("{\"accepted\": false, \"explanation\": \"English, not Welsh\"}", false, "English, not Welsh")]
    [InlineData("Yes. It asks which alarms are set.", true, "It asks which alarms are set.")]
    [InlineData("no - the sentence is cut off", false, "the sentence is cut off")]
    [InlineData("Verdict: NO\nReason: wrong language", false, "wrong language")]
    [InlineData("{\"verdict\": \"yes\", \"reason\": \"ok\"", true, "ok")]
    public void VerdictsAreReadFromJsonAndFreeText(string raw, bool accepted, string reason)
    {
        var verdict = RevisionJudge.ParseVerdict(raw);
        Assert.NotNull(verdict);
        Assert.Equal(accepted, verdict.Value.Accepted);
        Assert.Equal(reason, verdict.Value.Reason);
    }

    [Fact]
    public async Task RealFreeTextAnswersWithoutAVerdictAreNotTakenAsYes()
    {
        // GPT-4's free-text answers from the SIB-200 study: they name a topic, never yes or no.
        var answers = File.ReadLines(SharedData.LlmAnswers("gpt-4", "cym_Latn")).Skip(1).Take(20).Select(l => l.Split('\t')[^1]).ToArray();
        Assert.All(answers, a => Assert.Null(RevisionJudge.ParseVerdict(a)));

        var client = new ScriptedChatClient((_, _) => answers[0]);
        var judge = new RevisionJudge(client, PromptTemplate.Load(PromptTemplate.Judge, null));
        var verdict = await judge.JudgeAsync(new LabelContext("sib200", "travel", "topic", "Welsh", null), "Mae'r trên yn hwyr.", CancellationToken.None);
        Assert.False(verdict.Accepted);
        Assert.False(verdict.Understood);
        Assert.Equal(answers[0], verdict.RawAnswer);
    }

    [Fact]
    public async Task TheJudgeAsksForAConstrainedAnswerAboutTheTextAndLabel()
    {
        var client = new ScriptedChatClient((_, _) => "{\"verdict\": \"yes\", \"reason\": \"fine\"}");
        var judge = new RevisionJudge(client, PromptTemplate.Load(PromptTemplate.Judge, null));
        var verdict = await judge.JudgeAsync(new LabelContext("massive10", "alarm_query", "intent", "Welsh", "The user asks about alarms."),
            "Ydy'r larwm wedi'i osod?", CancellationToken.None);
        Assert.True(verdict.Accepted);
        Assert.True(verdict.Tokens > 0);

        var (messages, options) = Assert.Single(client.Requests);
        Assert.Contains("Text: Ydy'r larwm wedi'i osod?", messages[1].Text);
        Assert.Contains("\"alarm_query\"", messages[1].Text);
        Assert.Contains("The user asks about alarms.", messages[1].Text);
        var format = Assert.IsType<ChatResponseFormatJson>(options!.ResponseFormat);
        Assert.Contains("\"verdict\"", format.Schema!.Value.GetRawText());
        // One constraint only (the embedded runtime derives its grammar from the schema; vLLM refuses two).
        Assert.Null(options.GetGrammar());
        Assert.Equal(0f, options.Temperature);
    }
}
