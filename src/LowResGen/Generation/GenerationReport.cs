namespace LowResGen.Generation;

/// <summary>How many examples reached a stage and how many it let through.</summary>
public sealed record StageCount(string Stage, int Entered, int Passed)
{
    public double PassRate => Entered == 0 ? 1 : (double)Passed / Entered;
}

/// <summary>One class of a generation run: quota, what was accepted, the acceptance at every stage and what it cost.</summary>
public sealed record ClassReport(
    string Label,
    int Quota,
    int Accepted,
    int Attempts,
    bool AttemptLimitReached,
    IReadOnlyList<StageCount> Stages,
    long LlmTokens)
{
    public bool QuotaMet => Accepted >= Quota;

    /// <summary>LLM tokens (generation and judging) per accepted example; null when nothing was accepted.</summary>
    public double? TokensPerAccepted => Accepted == 0 ? null : (double)LlmTokens / Accepted;

    public int Candidates => Stages.Count == 0 ? 0 : Stages[0].Entered;

    /// <summary>Which language check its language stage ran: lingua, script:XXXX (ISO 15924) or none.</summary>
    public string LanguageCheck { get; init; } = "none";

    public static ClassReport From(string label, int quota, int attempts, bool attemptLimitReached,
        IReadOnlyCollection<GeneratedExampleRecord> records, long tokens)
    {
        var stages = new List<StageCount>();
        var remaining = records.Count;
        foreach (var stage in GenerationStages.InOrder)
        {
            var rejected = records.Count(r => r.RejectionStage == stage);
            stages.Add(new StageCount(stage, remaining, remaining - rejected));
            remaining -= rejected;
        }

        return new ClassReport(label, quota, records.Count(r => r.Accepted), attempts, attemptLimitReached, stages, tokens);
    }
}

/// <summary>The outcome of a generation run: per-class reports, the settings that identify it and the warnings raised.</summary>
public sealed record GenerationReport(
    string Task,
    string Language,
    string Strategy,
    string Model,
    int PerClass,
    int Seed,
    string GenerateTemplateVersion,
    string? JudgeTemplateVersion,
    string? DescribeTemplateVersion,
    IReadOnlyList<ClassReport> Classes,
    IReadOnlyList<string> Warnings,
    long DescriptionTokens,
    bool Resumed,
    TimeSpan Elapsed)
{
    public int Accepted => Classes.Sum(c => c.Accepted);

    /// <summary>Which language check ran: lingua, script:XXXX (ISO 15924) or none.</summary>
    public string LanguageCheck { get; init; } = "none";

    public long LlmTokens => Classes.Sum(c => c.LlmTokens) + DescriptionTokens;

    public bool AllQuotasMet => Classes.All(c => c.QuotaMet);

    /// <summary>Classes that stopped at the attempt limit without their quota (reported, never silent).</summary>
    public IEnumerable<ClassReport> ShortClasses => Classes.Where(c => !c.QuotaMet);
}
