namespace Milestones.Contracts.Validation;

/// <summary>
/// The one vocabulary of stage codes that <see cref="MilestoneReached.MilestoneCode"/> and a catalog plan use, in
/// lifecycle order. The service's vocabulary is the same list (a test compares them).
/// </summary>
public static class MilestoneCodes
{
    /// <summary>立项: the project is approved.</summary>
    public const string Approved = "approved";

    /// <summary>规划/控规获批: its plan is approved.</summary>
    public const string PlanApproved = "plan-approved";

    /// <summary>规划设计方案完成: the planning and design scheme is complete.</summary>
    public const string DesignCompleted = "design-completed";

    /// <summary>土地整理: the land is prepared.</summary>
    public const string LandPrepared = "land-prepared";

    /// <summary>开工 / 主体开工 / 全面开工: construction started.</summary>
    public const string ConstructionStarted = "construction-started";

    /// <summary>结构封顶: the structure is topped out.</summary>
    public const string ToppedOut = "topped-out";

    /// <summary>建成 / 竣工: completed.</summary>
    public const string Completed = "completed";

    /// <summary>开通运营 / 开园 / 投入使用 / 启用: opened to use.</summary>
    public const string Opened = "opened";

    /// <summary>Every code, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Approved, PlanApproved, DesignCompleted, LandPrepared, ConstructionStarted, ToppedOut, Completed, Opened];

    /// <summary>True when <paramref name="code"/> is one of <see cref="All"/> (case-sensitive).</summary>
    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);
}
