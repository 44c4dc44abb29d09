using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Domain.Tests;

public class Authorizing_sources
{
    static readonly DateTimeOffset Now = new(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
    readonly MilestoneValidator validator = new(Events.Catalog(), new FakeTimeProvider(Now), ValidationLimits.Default);

    static MilestoneEvent From(string source, string project = "lize-city-terminal") =>
        Events.Reached(project, ConstructionStarted, day: 10) with { SourceSystem = source };

    static Retraction Retraction(string source, string project = "lize-city-terminal") => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = project,
        RetractedEventId = Guid.NewGuid(),
        Reason = "reported by mistake",
        RetractedAt = Now.AddDays(-1),
        SourceSystem = source,
    };

    [Fact]
    public void A_source_reports_the_projects_the_catalog_gives_it() => Assert.Null(validator.Validate(From("lize-pmo")));

    [Fact]
    public void The_district_office_reports_any_project() => Assert.Null(validator.Validate(From("fengtai-pmo", "fengtai-station-integration")));

    [Fact]
    public void A_source_is_refused_for_a_project_it_is_not_given() =>
        Assert.Equal(RejectionReason.SourceNotAuthorized, validator.Validate(From("metro-operator"))?.Reason);

    [Fact]
    public void A_source_the_catalog_does_not_know_is_refused() =>
        Assert.Equal(RejectionReason.SourceNotAuthorized, validator.Validate(From("some-contractor"))?.Reason);

    [Fact]
    public void A_source_retracts_its_own_reports_only()
    {
        var retraction = Retraction("lize-pmo");
        var own = EventRecord.From(From("lize-pmo"), Now);
        var others = EventRecord.From(From("fengtai-pmo"), Now);

        Assert.Null(validator.Validate(retraction));
        Assert.Null(validator.AuthorizeRetraction(retraction, own));
        Assert.Equal(RejectionReason.SourceNotAuthorized, validator.AuthorizeRetraction(retraction, others)?.Reason);
    }

    [Fact]
    public void The_district_office_retracts_anyone_s_report() =>
        Assert.Null(validator.AuthorizeRetraction(Retraction("fengtai-pmo"), EventRecord.From(From("lize-pmo"), Now)));

    [Fact]
    public void A_retraction_from_a_source_not_given_the_project_is_refused() =>
        Assert.Equal(RejectionReason.SourceNotAuthorized, validator.Validate(Retraction("metro-operator"))?.Reason);

    [Fact]
    public void A_retraction_cannot_withdraw_a_retraction()
    {
        var retraction = Retraction("fengtai-pmo");
        var earlier = EventRecord.From(Retraction("fengtai-pmo"), Opened, Now);
        Assert.Equal(RejectionReason.InvalidField, validator.AuthorizeRetraction(retraction, earlier)?.Reason);
    }

    [Theory]
    [InlineData(null, "lize-pmo", true, "lize-pmo", null)]
    [InlineData("lize-pmo", "lize-pmo", true, "lize-pmo", null)]
    [InlineData("fengtai-pmo", "lize-pmo", true, "lize-pmo", RejectionReason.SourceMismatch)]
    [InlineData("lize-pmo", null, true, "", RejectionReason.UnauthenticatedSource)]
    [InlineData("lize-pmo", null, false, "lize-pmo", null)]
    public void The_publisher_is_its_broker_identity_never_only_a_name_in_the_body(
        string? claimed, string? authenticated, bool required, string expectedSource, RejectionReason? expected)
    {
        var (source, rejection) = PublisherIdentity.Resolve(claimed, authenticated, required);
        Assert.Equal(expectedSource, source);
        Assert.Equal(expected, rejection?.Reason);
    }

    [Fact]
    public void A_catalog_source_with_an_unknown_project_or_role_is_refused()
    {
        var project = Events.Catalog().Projects[0];
        var error = Assert.Throws<CatalogException>(() => ProjectCatalog.Create([project], sources:
        [
            new SourceDefinition { Id = "a-pmo", Name = "甲", Projects = ["no-such-project"] },
            new SourceDefinition { Id = "b-pmo", Name = "乙", Roles = ["emperor"] },
            new SourceDefinition { Id = "Not A Slug", Name = "丙", Roles = [SourceRoles.DistrictOffice] },
        ]));
        Assert.Contains(error.Errors, e => e.Contains("'no-such-project' is not in the catalog", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("unknown role 'emperor'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("ASCII slug", StringComparison.Ordinal));
    }
}
