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
    public ReportExtract Report { get; init; } = new();

    public DateTimeOffset ExistsSinceUtc => new(ExistsSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>The milestones a project goes through and the ones that make it complete.</summary>
/// <param name="Milestones">Stage codes that apply, in lifecycle order.</param>
/// <param name="Required">Stage codes that must all be reached for completion; a subset of <paramref name="Milestones"/>.</param>
public sealed record MilestonePlan(IReadOnlyList<string> Milestones, IReadOnlyList<string> Required)
{
    public bool Applies(string code) => Milestones.Contains(code, StringComparer.Ordinal);
}

/// <summary>A quantitative goal, such as an open area in mu (亩).</summary>
public sealed record QuantitativeTarget(string Metric, string Unit, decimal? Baseline, decimal Target, bool Required, string? Text);

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
