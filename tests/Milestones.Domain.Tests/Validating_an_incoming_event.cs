using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Projects;
using Milestones.Domain.Validation;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Domain.Tests;

public class Validating_an_incoming_event
{
    static readonly DateTimeOffset Now = new(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
    readonly MilestoneValidator validator = new(Events.Catalog(), new FakeTimeProvider(Now), ValidationLimits.Default);

    static MilestoneEvent Valid() => Events.Reached("lize-city-terminal", ConstructionStarted, day: 10);

    [Fact]
    public void Accepts_a_well_formed_event_of_a_catalog_project() => Assert.Null(validator.Validate(Valid()));

    public static TheoryData<string, RejectionReason> BadEvents() => new()
    {
        { "empty event id", RejectionReason.MissingField },
        { "empty project id", RejectionReason.MissingField },
        { "blank milestone code", RejectionReason.MissingField },
        { "no source system", RejectionReason.MissingField },
        { "default occurredAt", RejectionReason.MissingField },
        { "unknown project", RejectionReason.UnknownProject },
        { "unknown code", RejectionReason.UnknownMilestone },
        { "code outside the plan", RejectionReason.MilestoneNotInPlan },
        { "occurred in the future", RejectionReason.TimestampInFuture },
        { "reported in the future", RejectionReason.TimestampInFuture },
        { "before the project existed", RejectionReason.BeforeProjectExisted },
        { "reported before it occurred", RejectionReason.ReportedBeforeOccurred },
        { "oversize note", RejectionReason.TooLarge },
        { "oversize source system", RejectionReason.SourceNotAuthorized }, // no catalog source has such a name
        { "evidence link not http", RejectionReason.InvalidField },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public void Refuses_with_a_specific_reason(string variant, RejectionReason expected)
    {
        var e = Valid();
        var bad = variant switch
        {
            "empty event id" => e with { EventId = Guid.Empty },
            "empty project id" => e with { ProjectId = "" },
            "blank milestone code" => e with { MilestoneCode = "  " },
            "no source system" => e with { SourceSystem = "" },
            "default occurredAt" => e with { OccurredAt = default },
            "unknown project" => e with { ProjectId = "great-wall" },
            "unknown code" => e with { MilestoneCode = "groundbreaking" },
            "code outside the plan" => e with { MilestoneCode = LandPrepared },
            "occurred in the future" => e with { OccurredAt = Now.AddDays(1), ReportedAt = Now.AddDays(1) },
            "reported in the future" => e with { ReportedAt = Now.AddHours(1) },
            "before the project existed" => e with { OccurredAt = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero) },
            "reported before it occurred" => e with { ReportedAt = e.OccurredAt.AddDays(-1) },
            "oversize note" => e with { Note = new string('注', 2_001) },
            "oversize source system" => e with { SourceSystem = new string('s', 101) },
            "evidence link not http" => e with { EvidenceUrl = "file:///etc/passwd" },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var rejection = validator.Validate(bad);

        Assert.NotNull(rejection);
        Assert.Equal(expected, rejection.Reason);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
    }

    [Fact]
    public void Allows_a_small_clock_skew_and_a_note_at_the_limit()
    {
        var e = Valid() with { ReportedAt = Now.AddMinutes(4), Note = new string('注', 2_000) };
        Assert.Null(validator.Validate(e));
    }

    [Fact]
    public void Names_the_offending_value_in_the_message()
    {
        var rejection = validator.Validate(Valid() with { ProjectId = "great-wall" });
        Assert.Equal("unknown-project", rejection!.Code);
        Assert.Contains("'great-wall'", rejection.Message, StringComparison.Ordinal);
    }
}
