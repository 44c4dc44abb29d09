namespace Milestones.Domain.Catalog;

/// <summary>A key project of the catalog.</summary>
public sealed record ProjectDefinition
{
    public required string Id { get; init; }
    public required string NameZh { get; init; }
    public required string NameEn { get; init; }
    public required string Area { get; init; }
    public string? AreaEn { get; init; }
    public string? Kind { get; init; }

    /// <summary>Events dated before this day are refused: the project did not exist yet.</summary>
    public required DateOnly ExistsSince { get; init; }

    public required MilestonePlan Plan { get; init; }
    public IReadOnlyList<QuantitativeTarget> Targets { get; init; } = [];

    /// <summary>Planned dates of the plan's milestones, where the report gives one.</summary>
    public IReadOnlyList<ScheduledMilestone> Schedule { get; init; } = [];

    /// <summary>Sources that may report on this project besides those whose own list names it (and the district office).</summary>
    public IReadOnlyList<string> Reporters { get; init; } = [];

    /// <summary>The entry's revision: 1 in the checked-in file unless it says otherwise; a registration with a higher one replaces it.</summary>
    public int Revision { get; init; } = 1;

    public ReportExtract Report { get; init; } = new();

    public DateTimeOffset ExistsSinceUtc => new(ExistsSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The target of this metric, if the project has one.</summary>
    public QuantitativeTarget? TargetOf(string metric) => Targets.FirstOrDefault(t => string.Equals(t.Metric, metric, StringComparison.Ordinal));

    /// <summary>The targets the project must meet to be complete.</summary>
    public IEnumerable<QuantitativeTarget> RequiredTargets => Targets.Where(t => t.Required);
}

/// <summary>The milestones a project goes through and the ones that make it complete.</summary>
/// <param name="Milestones">Stage codes that apply, in lifecycle order.</param>
/// <param name="Required">Stage codes that must all be reached for completion; a subset of <paramref name="Milestones"/>.</param>
public sealed record MilestonePlan(IReadOnlyList<string> Milestones, IReadOnlyList<string> Required)
{
    public bool Applies(string code) => Milestones.Contains(code, StringComparer.Ordinal);
}

/// <summary>A quantitative goal, such as an open area in mu (亩). It is met when the latest reported value reaches <paramref name="Target"/>.</summary>
public sealed record QuantitativeTarget(string Metric, string Unit, decimal? Baseline, decimal Target, bool Required, string? Text)
{
    public bool IsMetBy(decimal value) => value >= Target;
}

/// <summary>
/// A milestone's planned date. The report's wordings become dates as <c>docs/catalog.md</c> says: a year, 年内 (within the
/// year) and 年底 (by the end of the year) are all due on 31 December of that year.
/// </summary>
/// <param name="Milestone">Stage code, one of the plan's.</param>
/// <param name="Due">The last day the milestone is on time, in China Standard Time (UTC+8).</param>
/// <param name="Text">The words the date comes from.</param>
public sealed record ScheduledMilestone(string Milestone, DateOnly Due, string? Text)
{
    /// <summary>China Standard Time, in which the report's dates are meant; it has no daylight saving.</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>The instant the due day ends: the milestone is overdue from then on if it was not reached.</summary>
    public DateTimeOffset DueEnd => new(Due.AddDays(1).ToDateTime(TimeOnly.MinValue), ChinaStandardTime);

    /// <summary>Whole days late at <paramref name="now"/>, 0 on the first day after the due day.</summary>
    public int DaysLate(DateTimeOffset now) => now < DueEnd ? 0 : (int)((now - DueEnd).Ticks / TimeSpan.TicksPerDay);
}

/// <summary>What the work report says about the project.</summary>
public sealed record ReportExtract
{
    public IReadOnlyList<ReportStatement> Reached2022 { get; init; } = [];
    public IReadOnlyList<ReportStatement> Planned2023 { get; init; } = [];
}

/// <summary>A clause of the report, and the stage code it maps to, if any.</summary>
public sealed record ReportStatement(string? Milestone, string Text);

/// <summary>Where the catalog comes from.</summary>
public sealed record CatalogSource(string Title, string? TitleEn, string? Document);
