using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Domain.Tests;

/// <summary>Builders for the tests' events and plans.</summary>
static class Events
{
    /// <summary>The catalog's district office, which may report on every project.</summary>
    public const string Source = "fengtai-pmo";

    public static readonly DateTimeOffset Day0 = new(2022, 3, 1, 9, 0, 0, TimeSpan.FromHours(8));

    public static MilestoneEvent Reached(string projectId, string code, int day = 0, Guid? id = null, string? note = null) => new()
    {
        EventId = id ?? Guid.NewGuid(),
        ProjectId = projectId,
        MilestoneCode = code,
        OccurredAt = Day0.AddDays(day),
        ReportedAt = Day0.AddDays(day + 1),
        SourceSystem = Source,
        Note = note,
    };

    /// <summary>The district office withdrawing the report <paramref name="retractedEventId"/>, thirty days after <see cref="Day0"/>.</summary>
    public static Retraction Retraction(string projectId, Guid retractedEventId, string reason = "reported by mistake") => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = projectId,
        RetractedEventId = retractedEventId,
        Reason = reason,
        RetractedAt = Day0.AddDays(30),
        SourceSystem = Source,
    };

    public static ProgressReport Progress(string projectId, string metric, decimal value, string unit, int day = 0, Guid? id = null, string source = Source) => new()
    {
        EventId = id ?? Guid.NewGuid(),
        ProjectId = projectId,
        Metric = metric,
        Value = value,
        Unit = unit,
        OccurredAt = Day0.AddDays(day),
        ReportedAt = Day0.AddDays(day + 1),
        SourceSystem = source,
    };

    public static MilestonePlan Plan(string[] milestones, string[] required) => new(milestones, required);

    public static ProjectCatalog Catalog() =>
        ProjectCatalog.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json"));
}
