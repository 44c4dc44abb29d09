using Milestones.Domain.Projects;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Domain.Tests;

public class An_event_fingerprint
{
    [Fact]
    public void Is_the_same_for_the_same_instant_written_with_another_offset()
    {
        var e = Events.Reached("lize-city-terminal", Opened, id: Guid.NewGuid());
        var utc = e with { OccurredAt = e.OccurredAt.ToUniversalTime(), ReportedAt = e.ReportedAt.ToUniversalTime() };

        Assert.Equal(e.Fingerprint, utc.Fingerprint);
    }

    [Fact]
    public void Changes_with_any_field_of_the_payload()
    {
        var e = Events.Reached("lize-city-terminal", Opened, note: "a");
        var original = e.Fingerprint; // read first: copies made after this must not inherit it
        MilestoneEvent[] variants =
        [
            e with { Note = "b" }, e with { Note = null }, e with { MilestoneCode = Completed }, e with { ProjectId = "x" },
            e with { OccurredAt = e.OccurredAt.AddTicks(1) }, e with { ReportedAt = e.ReportedAt.AddSeconds(1) },
            e with { SourceSystem = "other" }, e with { EvidenceUrl = "https://example.org/a" },
        ];
        Assert.All(variants, v => Assert.NotEqual(original, v.Fingerprint));
    }
}
