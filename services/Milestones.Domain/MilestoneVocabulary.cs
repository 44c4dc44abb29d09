namespace Milestones.Domain;

/// <summary>One stage code of the milestone vocabulary, with the report's wordings that map to it.</summary>
/// <param name="Code">Stable ASCII code used on the wire and in the catalog.</param>
/// <param name="NameEn">English name.</param>
/// <param name="Wordings">The Chinese wordings of the work report that mean this stage.</param>
public sealed record MilestoneStage(string Code, string NameEn, IReadOnlyList<string> Wordings);

/// <summary>
/// The one vocabulary of stage codes. A project's plan picks the codes that apply to it;
/// events carrying any other code are refused.
/// </summary>
public static class MilestoneVocabulary
{
    public const string Approved = "approved";
    public const string PlanApproved = "plan-approved";
    public const string DesignCompleted = "design-completed";
    public const string LandPrepared = "land-prepared";
    public const string ConstructionStarted = "construction-started";
    public const string ToppedOut = "topped-out";
    public const string Completed = "completed";
    public const string Opened = "opened";

    /// <summary>Every stage, in lifecycle order.</summary>
    public static IReadOnlyList<MilestoneStage> Stages { get; } =
    [
        new(Approved, "Project approved", ["立项"]),
        new(PlanApproved, "Plan approved", ["规划获批", "控规获批", "街区控规正式获批"]),
        new(DesignCompleted, "Planning and design scheme completed", ["规划设计方案完成"]),
        new(LandPrepared, "Land prepared", ["土地整理"]),
        new(ConstructionStarted, "Construction started", ["开工", "主体开工", "全面开工", "开工建设", "启动建设"]),
        new(ToppedOut, "Structure topped out", ["结构封顶"]),
        new(Completed, "Completed", ["建成", "竣工", "建成通车"]),
        new(Opened, "Opened to use", ["开通运营", "开园", "投入使用", "启用", "正式运营", "开学"]),
    ];

    static readonly Dictionary<string, int> IndexByCode =
        Stages.Select((stage, index) => (stage.Code, index)).ToDictionary(p => p.Code, p => p.index, StringComparer.Ordinal);

    public static bool IsKnown(string? code) => code is not null && IndexByCode.ContainsKey(code);

    /// <summary>Position in the lifecycle, used to list a project's milestones in order.</summary>
    public static int Order(string code) => IndexByCode.TryGetValue(code, out var index) ? index : int.MaxValue;
}
