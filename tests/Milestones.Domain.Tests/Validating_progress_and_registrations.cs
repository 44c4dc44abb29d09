using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Tests;

public class Validating_progress_and_registrations
{
    static readonly DateTimeOffset Now = new(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly ProjectCatalog Catalog = Events.Catalog();
    readonly MilestoneValidator validator = new(Catalog, new FakeTimeProvider(Now), ValidationLimits.Default);

    static ProgressReport Progress() => Events.Progress("nanyuan-forest-wetland-park", "open-area", 1600m, "mu", day: 10, source: "south-axis-pmo");

    static CatalogRegistration Registration() => new()
    {
        EventId = Guid.NewGuid(),
        Definition = Catalog.Get("lize-city-terminal") with { Revision = 2 },
        RegisteredAt = Now.AddDays(-1),
        SourceSystem = "fengtai-pmo",
    };

    [Fact]
    public void Accepts_a_progress_report_in_the_targets_unit_from_a_source_of_the_project() => Assert.Null(validator.Validate(Progress()));

    [Fact]
    public void Accepts_a_registration_from_the_registrar() => Assert.Null(validator.Validate(Registration()));

    public static TheoryData<string, RejectionReason> BadProgress() => new()
    {
        { "no metric", RejectionReason.MissingField },
        { "no unit", RejectionReason.MissingField },
        { "unknown project", RejectionReason.UnknownProject },
        { "a source not of the project", RejectionReason.SourceNotAuthorized },
        { "a metric the project has no target for", RejectionReason.UnknownMetric },
        { "a project without targets", RejectionReason.UnknownMetric },
        { "another unit", RejectionReason.UnitMismatch },
        { "a negative value", RejectionReason.InvalidField },
        { "measured in the future", RejectionReason.TimestampInFuture },
        { "before the project existed", RejectionReason.BeforeProjectExisted },
        { "reported before measured", RejectionReason.ReportedBeforeOccurred },
        { "oversize note", RejectionReason.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadProgress))]
    public void Refuses_progress_with_a_specific_reason(string variant, RejectionReason expected)
    {
        var p = Progress();
        var bad = variant switch
        {
            "no metric" => p with { Metric = " " },
            "no unit" => p with { Unit = "" },
            "unknown project" => p with { ProjectId = "no-such-project" },
            "a source not of the project" => p with { SourceSystem = "lize-pmo" },
            "a metric the project has no target for" => p with { Metric = "visitors" },
            "a project without targets" => p with { ProjectId = "subway-16-south", SourceSystem = "metro-operator" },
            "another unit" => p with { Unit = "亩" },
            "a negative value" => p with { Value = -1m },
            "measured in the future" => p with { OccurredAt = Now.AddHours(1), ReportedAt = Now.AddHours(1) },
            "before the project existed" => p with { OccurredAt = new DateTimeOffset(2014, 1, 1, 0, 0, 0, TimeSpan.Zero) },
            "reported before measured" => p with { ReportedAt = p.OccurredAt.AddDays(-1) },
            "oversize note" => p with { Note = new string('x', 2_001) },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        Assert.Equal(expected, validator.Validate(bad)?.Reason);
    }

    [Fact]
    public void Says_which_unit_the_target_is_measured_in() =>
        Assert.Equal("metric 'open-area' of project 'nanyuan-forest-wetland-park' is measured in 'mu', not '亩'",
            validator.Validate(Progress() with { Unit = "亩" })!.Message);

    public static TheoryData<string, RejectionReason> BadRegistrations() => new()
    {
        { "no entry id", RejectionReason.MissingField },
        { "from a source that is not the registrar", RejectionReason.SourceNotAuthorized },
        { "from an unknown source", RejectionReason.SourceNotAuthorized },
        { "registered in the future", RejectionReason.TimestampInFuture },
        { "an entry the file could not hold", RejectionReason.InvalidEntry },
        { "oversize note", RejectionReason.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public void Refuses_a_registration_with_a_specific_reason(string variant, RejectionReason expected)
    {
        var r = Registration();
        var bad = variant switch
        {
            "no entry id" => r with { Definition = r.Definition with { Id = "" } },
            "from a source that is not the registrar" => r with { SourceSystem = "lize-pmo" },
            "from an unknown source" => r with { SourceSystem = "someone" },
            "registered in the future" => r with { RegisteredAt = Now.AddHours(1) },
            "an entry the file could not hold" => r with { Definition = r.Definition with { Plan = new MilestonePlan(["opened"], ["completed"]) } },
            "oversize note" => r with { Note = new string('x', 2_001) },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        Assert.Equal(expected, validator.Validate(bad)?.Reason);
    }

    [Fact]
    public void Only_reports_can_be_retracted_not_registrations_or_findings()
    {
        var registration = Registration();
        var record = Storage.EventRecord.From(registration, Now);
        var retraction = new Retraction
        {
            EventId = Guid.NewGuid(),
            ProjectId = "lize-city-terminal",
            RetractedEventId = registration.EventId,
            Reason = "wrong",
            RetractedAt = Now,
            SourceSystem = "fengtai-pmo",
        };
        Assert.Equal(RejectionReason.InvalidField, validator.AuthorizeRetraction(retraction, record)?.Reason);
    }
}
