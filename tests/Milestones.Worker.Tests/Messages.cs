using Milestones.Contracts;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

static class Messages
{
    public static readonly DateTimeOffset Day0 = new(2022, 6, 1, 9, 0, 0, TimeSpan.FromHours(8));

    public static MilestoneReached Reached(string projectId, string code, int day = 0, Guid? id = null, string? note = null) => new()
    {
        EventId = id ?? Guid.NewGuid(),
        ProjectId = projectId,
        MilestoneCode = code,
        OccurredAt = Day0.AddDays(day),
        ReportedAt = Day0.AddDays(day + 1),
        SourceSystem = "fengtai-pmo",
        Note = note,
    };

    /// <summary>地铁16号线南段: complete once it is opened.</summary>
    public static MilestoneReached MetroOpened(Guid? id = null) => Reached("subway-16-south", Opened, id: id);
}
