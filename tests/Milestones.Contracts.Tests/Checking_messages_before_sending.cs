using Microsoft.Extensions.Time.Testing;
using Milestones.Contracts.Testing;
using Milestones.Contracts.Validation;

namespace Milestones.Contracts.Tests;

/// <summary>A publisher checks its messages with the contracts assembly alone, against the catalog it holds.</summary>
public sealed class Checking_messages_before_sending
{
    static readonly MessageValidator Kit = new(TestCatalog.Snapshot, new FakeTimeProvider(MessageCorpus.Now));

    public static TheoryData<CorpusCase> Cases() => [.. MessageCorpus.All];

    static MessageRejection? Validate(MessageValidator validator, object message) => message switch
    {
        MilestoneReached m => validator.Validate(m),
        MilestoneRetracted m => validator.Validate(m),
        ProgressReported m => validator.Validate(m),
        ProjectRegistered m => validator.Validate(m),
        _ => throw new ArgumentException($"not an inbound message: {message.GetType()}"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_case_gets_its_reason_and_passes_without_the_change_that_makes_it_bad(CorpusCase c)
    {
        Assert.Null(Validate(Kit, c.Good));
        Assert.Equal(c.Code, Validate(Kit, c.Message)?.Code);
    }

    [Fact]
    public void Every_reason_a_publisher_can_check_is_reached_by_the_corpus()
    {
        string[] checkable =
        [
            RejectionCodes.MissingField, RejectionCodes.UnknownProject, RejectionCodes.UnknownMilestone, RejectionCodes.MilestoneNotInPlan,
            RejectionCodes.TimestampInFuture, RejectionCodes.BeforeProjectExisted, RejectionCodes.ReportedBeforeOccurred,
            RejectionCodes.TooLarge, RejectionCodes.InvalidField, RejectionCodes.UnknownMetric, RejectionCodes.UnitMismatch,
            RejectionCodes.InvalidEntry,
        ];
        var reached = MessageCorpus.All.Select(c => Validate(Kit, c.Message)?.Code).OfType<string>().ToHashSet();
        Assert.Equal(checkable.Order(), reached.Order());
    }

    [Fact]
    public void The_words_are_the_services()
    {
        var reached = new MilestoneReachedBuilder().WithMilestoneCode("land-prepared").Build();
        Assert.Equal(
            "milestone-not-in-plan: milestone 'land-prepared' is not in the plan of project 'lize-city-terminal' (plan-approved, construction-started, topped-out, completed, opened)",
            Kit.Validate(reached)?.ToString());
        var progress = new ProgressReportedBuilder().WithUnit("hectare").Build();
        Assert.Equal("metric 'open-area' of project 'nanyuan-forest-wetland-park' is measured in 'mu', not 'hectare'", Kit.Validate(progress)?.Message);
        var entry = new ProjectRegisteredBuilder().WithRevision(0).WithProject(e => e.WithId("Bad Id")).Build();
        Assert.Equal(
            "project #1 'Bad Id': id must be an ASCII slug (a-z, 0-9, '-'), at most 64 characters; project #1 'Bad Id': revision must be 1 or more",
            Kit.Validate(entry)?.Message);
        var hostile = new MilestoneReachedBuilder().WithProjectId(new string('x', 300)).Build();
        Assert.Equal($"project '{new string('x', 80)}…' is not in the catalog", Kit.Validate(hostile)?.Message);
    }

    [Fact]
    public void Without_a_catalog_only_what_the_message_says_is_checked()
    {
        var kit = new MessageValidator(clock: new FakeTimeProvider(MessageCorpus.Now));
        Assert.Null(kit.Validate(new MilestoneReachedBuilder().WithProjectId("a-project-the-publisher-does-not-know").Build()));
        Assert.Null(kit.Validate(new ProgressReportedBuilder().WithMetric("visitors").WithUnit("people").Build()));
        Assert.Null(kit.Validate(new ProjectRegisteredBuilder().WithProject(e => e.WithReporters("nobody")).Build()));
        Assert.Equal(RejectionCodes.UnknownMilestone, kit.Validate(new MilestoneReachedBuilder().WithMilestoneCode("finished").Build())?.Code);
        Assert.Equal(RejectionCodes.TimestampInFuture, kit.Validate(new MilestoneReachedBuilder().At(MessageCorpus.Now.AddHours(1)).Build())?.Code);
    }

    [Fact]
    public void The_clock_decides_what_is_in_the_future()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2023, 9, 30, 1, 0, 0, TimeSpan.Zero));
        var kit = new MessageValidator(TestCatalog.Snapshot, clock);
        var report = new MilestoneReachedBuilder().Build();   // occurred 2023-09-30 02:00 UTC, reported 10:00 UTC
        Assert.Equal("timestamp-in-future: occurredAt 2023-09-30T10:00:00.0000000+08:00 is in the future", kit.Validate(report)?.ToString());
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(RejectionCodes.TimestampInFuture, kit.Validate(report)?.Code);
        Assert.Contains("reportedAt", kit.Validate(report)?.Message, StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(5));
        Assert.Null(kit.Validate(report));
    }

    [Fact]
    public void EnsureValid_throws_with_the_reason()
    {
        var ex = Assert.Throws<MessageRejectedException>(() => Kit.EnsureValid(new MilestoneRetractedBuilder().WithReason(null).Build()));
        Assert.Equal(new MessageRejection(RejectionCodes.MissingField, "required field 'reason' is missing or empty"), ex.Rejection);
        Kit.EnsureValid(new MilestoneRetractedBuilder().Build());
        Kit.EnsureValid(new ProgressReportedBuilder().Build());
        Kit.EnsureValid(new ProjectRegisteredBuilder().Build());
        Kit.EnsureValid(new MilestoneReachedBuilder().Build());
    }

    [Fact]
    public void The_limits_are_the_services_and_can_be_set()
    {
        var note = new string('n', 501);
        Assert.Null(Kit.Validate(new MilestoneReachedBuilder().WithNote(note).Build()));
        var strict = new MessageValidator(TestCatalog.Snapshot, new FakeTimeProvider(MessageCorpus.Now), new MessageLimits { MaxNoteLength = 500 });
        Assert.Equal("note has 501 characters; the limit is 500", strict.Validate(new MilestoneReachedBuilder().WithNote(note).Build())?.Message);
    }
}
