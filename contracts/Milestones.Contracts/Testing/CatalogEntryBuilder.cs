using Milestones.Contracts.Validation;

namespace Milestones.Contracts.Testing;

/// <summary>
/// Builds a <see cref="CatalogEntry"/> for tests: by default a new project, <c>example-park</c> (示例公园) in 丰台区,
/// existing since 2023-01-01, whose plan is <c>construction-started</c> then <c>opened</c> (required), due to open by
/// 2024-12-31. <see cref="From"/> starts from an existing entry, to amend it.
/// </summary>
public sealed class CatalogEntryBuilder
{
    string? id = "example-park";
    string? nameZh = "示例公园";
    string? nameEn = "Example Park";
    string? area = "丰台区";
    string? areaEn = "Fengtai District";
    string? kind = "park";
    DateOnly existsSince = new(2023, 1, 1);
    CatalogPlan? plan = new([MilestoneCodes.ConstructionStarted, MilestoneCodes.Opened], [MilestoneCodes.Opened]);
    List<CatalogTarget>? targets = [];
    List<CatalogScheduleItem>? schedule = [new(MilestoneCodes.Opened, new DateOnly(2024, 12, 31), "年底开园")];
    List<string>? reporters = [];

    /// <summary>Starts from <paramref name="entry"/>, such as one of the catalog's, to amend it.</summary>
    public static CatalogEntryBuilder From(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new CatalogEntryBuilder
        {
            id = entry.Id,
            nameZh = entry.NameZh,
            nameEn = entry.NameEn,
            area = entry.Area,
            areaEn = entry.AreaEn,
            kind = entry.Kind,
            existsSince = entry.ExistsSince,
            plan = entry.Plan,
            targets = entry.Targets?.ToList(),
            schedule = entry.Schedule?.ToList(),
            reporters = entry.Reporters?.ToList(),
        };
    }

    /// <summary>Sets <see cref="CatalogEntry.Id"/>: an ASCII slug of at most 64 characters.</summary>
    public CatalogEntryBuilder WithId(string? value) { id = value; return this; }

    /// <summary>Sets the Chinese and English names (both required).</summary>
    public CatalogEntryBuilder WithNames(string? zh, string? en) { nameZh = zh; nameEn = en; return this; }

    /// <summary>Sets the functional area, in Chinese (required) and English.</summary>
    public CatalogEntryBuilder WithArea(string? zh, string? en = null) { area = zh; areaEn = en; return this; }

    /// <summary>Sets <see cref="CatalogEntry.Kind"/>.</summary>
    public CatalogEntryBuilder WithKind(string? value) { kind = value; return this; }

    /// <summary>Sets <see cref="CatalogEntry.ExistsSince"/>.</summary>
    public CatalogEntryBuilder WithExistsSince(DateOnly value) { existsSince = value; return this; }

    /// <summary>Sets the plan: the codes that apply, in lifecycle order, and those that make the project complete.</summary>
    public CatalogEntryBuilder WithPlan(IReadOnlyList<string> milestones, IReadOnlyList<string> required)
    {
        plan = new CatalogPlan(milestones, required);
        return this;
    }

    /// <summary>Sets the plan to null, as a publisher that forgot it would send.</summary>
    public CatalogEntryBuilder WithoutPlan() { plan = null; return this; }

    /// <summary>Adds a quantitative target.</summary>
    public CatalogEntryBuilder WithTarget(string metric, string unit, decimal target, bool required = true, decimal? baseline = null, string? text = null)
    {
        (targets ??= []).Add(new CatalogTarget(metric, unit, baseline, target, required, text));
        return this;
    }

    /// <summary>Adds a planned date for a milestone (the last day it is on time, China Standard Time).</summary>
    public CatalogEntryBuilder WithDue(string milestone, DateOnly due, string? text = null)
    {
        (schedule ??= []).Add(new CatalogScheduleItem(milestone, due, text));
        return this;
    }

    /// <summary>Removes every planned date.</summary>
    public CatalogEntryBuilder WithoutSchedule() { schedule = []; return this; }

    /// <summary>Sets the sources, besides the district office and those whose own list names it, that may report on the project.</summary>
    public CatalogEntryBuilder WithReporters(params string[] values) { reporters = [.. values]; return this; }

    /// <summary>The entry.</summary>
    public CatalogEntry Build() => new()
    {
        Id = id!,
        NameZh = nameZh!,
        NameEn = nameEn!,
        Area = area!,
        AreaEn = areaEn,
        Kind = kind,
        ExistsSince = existsSince,
        Plan = plan!,
        Targets = targets?.ToList(),
        Schedule = schedule?.ToList(),
        Reporters = reporters?.ToList(),
    };
}
