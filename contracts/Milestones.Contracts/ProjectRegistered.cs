using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// The registrar adds a project to the catalog or amends one: a whole catalog entry with its revision number. Published
/// to the <c>milestones.project-registered</c> exchange; accepted only from a source with the <c>registrar</c> role.
/// A revision replaces the project's entry when it is higher than the one in force (the checked-in catalog file's entries
/// are revision 1 unless they say otherwise); an older or equal revision arriving late is recorded and changes nothing.
/// Amending a plan recomputes completion: the project may complete (<see cref="ProjectCompleted"/>) or reopen
/// (<see cref="ProjectReopened"/>).
/// </summary>
[MessageUrn(WireNames.ProjectRegisteredType)]
[EntityName(WireNames.ProjectRegisteredExchange)]
public record ProjectRegistered
{
    /// <summary>Unique id of this registration, chosen by the publisher. Redelivery with the same id is applied once.</summary>
    public required Guid EventId { get; init; }

    /// <summary>The entry's revision: 1 or more, higher than the revision it replaces.</summary>
    public required int Revision { get; init; }

    /// <summary>The whole catalog entry, as it is to be from this revision on.</summary>
    public required CatalogEntry Project { get; init; }

    /// <summary>When the registrar made the registration.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The registrar: equal to the broker user (AMQP <c>user_id</c>) or left out.</summary>
    public string? SourceSystem { get; init; }

    /// <summary>Optional note for the timeline, such as why the plan changed (at most 2 000 characters).</summary>
    public string? Note { get; init; }
}

/// <summary>A project's catalog entry, as the checked-in catalog file writes it.</summary>
public record CatalogEntry
{
    /// <summary>Stable id, an ASCII slug such as <c>lize-city-terminal</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Chinese name.</summary>
    public required string NameZh { get; init; }

    /// <summary>English name.</summary>
    public required string NameEn { get; init; }

    /// <summary>Functional area, in Chinese, such as 丽泽金融商务区.</summary>
    public required string Area { get; init; }

    /// <summary>Functional area in English.</summary>
    public string? AreaEn { get; init; }

    /// <summary>Kind of project, such as <c>transport-hub</c>.</summary>
    public string? Kind { get; init; }

    /// <summary>Events dated before this day are refused: the project did not exist yet.</summary>
    public required DateOnly ExistsSince { get; init; }

    /// <summary>The milestones the project goes through and the ones that make it complete.</summary>
    public required CatalogPlan Plan { get; init; }

    /// <summary>Quantitative targets; a required one must be met for the project to complete.</summary>
    public IReadOnlyList<CatalogTarget>? Targets { get; init; }

    /// <summary>Planned dates of milestones; a milestone not reached by the end of its due day is overdue.</summary>
    public IReadOnlyList<CatalogScheduleItem>? Schedule { get; init; }

    /// <summary>Sources (broker users of the catalog's sources) that may report on this project besides the district office.</summary>
    public IReadOnlyList<string>? Reporters { get; init; }
}

/// <summary>A project's milestone plan.</summary>
/// <param name="Milestones">Stage codes that apply, in lifecycle order.</param>
/// <param name="Required">Stage codes that must all be reached for completion.</param>
public record CatalogPlan(IReadOnlyList<string> Milestones, IReadOnlyList<string> Required);

/// <summary>A quantitative target, such as an open area of 2 037 mu.</summary>
/// <param name="Metric">Metric name that <see cref="ProgressReported.Metric"/> uses, such as <c>open-area</c>.</param>
/// <param name="Unit">Unit of the values, such as <c>mu</c>.</param>
/// <param name="Baseline">The value when the target was set, if known.</param>
/// <param name="Target">The value to reach.</param>
/// <param name="Required">True when the project completes only once the target is met.</param>
/// <param name="Text">The report's words.</param>
public record CatalogTarget(string Metric, string Unit, decimal? Baseline, decimal Target, bool Required, string? Text);

/// <summary>A milestone's planned date.</summary>
/// <param name="Milestone">Stage code, one of the plan's.</param>
/// <param name="Due">The last day the milestone is on time (China Standard Time).</param>
/// <param name="Text">The words the date comes from, such as 年内 or 年底.</param>
public record CatalogScheduleItem(string Milestone, DateOnly Due, string? Text);
