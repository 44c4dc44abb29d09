using Milestones.Contracts;
using Milestones.Contracts.Testing;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

static class Messages
{
    public static readonly DateTimeOffset Day0 = new(2022, 6, 1, 9, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The publisher kit's builder, as the district office reports: reported a day after it happened.</summary>
    public static MilestoneReached Reached(string projectId, string code, int day = 0, Guid? id = null, string? note = null) =>
        new MilestoneReachedBuilder()
            .WithEventId(id ?? Guid.NewGuid())
            .WithProjectId(projectId)
            .WithMilestoneCode(code)
            .At(Day0.AddDays(day), after: TimeSpan.FromDays(1))
            .WithSourceSystem("fengtai-pmo")
            .WithNote(note)
            .WithEvidenceUrl(null)
            .Build();

    /// <summary>地铁16号线南段: complete once it is opened.</summary>
    public static MilestoneReached MetroOpened(Guid? id = null) => Reached("subway-16-south", Opened, id: id);
}
