using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Milestones.Contracts.Testing;
using Milestones.Contracts.Validation;

namespace Milestones.Contracts.Tests;

/// <summary>The builders give valid messages by default, and each With… changes only what it names.</summary>
public sealed class Building_messages
{
    static readonly MessageValidator Kit = new(TestCatalog.Snapshot, new FakeTimeProvider(MessageCorpus.Now));

    [Fact]
    public void Defaults_are_messages_the_kit_accepts_against_the_checked_in_catalog()
    {
        Assert.Null(Kit.Validate(new MilestoneReachedBuilder().Build()));
        Assert.Null(Kit.Validate(new MilestoneRetractedBuilder().Build()));
        Assert.Null(Kit.Validate(new ProgressReportedBuilder().Build()));
        Assert.Null(Kit.Validate(new ProjectRegisteredBuilder().Build()));
    }

    [Fact]
    public void The_default_report_is_the_readmes_example()
    {
        var m = new MilestoneReachedBuilder().Build();
        Assert.Equal(("lize-city-terminal", "topped-out", "lize-pmo", "结构封顶", "https://example.org/notices/123"),
            (m.ProjectId, m.MilestoneCode, m.SourceSystem, m.Note, m.EvidenceUrl));
        Assert.Equal(DateTimeOffset.Parse("2023-09-30T10:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture), m.OccurredAt);
        Assert.NotEqual(Guid.Empty, m.EventId);
        Assert.NotEqual(m.EventId, new MilestoneReachedBuilder().Build().EventId);
    }

    [Fact]
    public void With_changes_only_the_field_it_names()
    {
        var id = Guid.NewGuid();
        var builder = new MilestoneReachedBuilder().WithEventId(id);
        var good = builder.Build();
        Assert.Equal(good with { Note = "x" }, builder.WithNote("x").Build());
        Assert.Equal(good with { Note = "x", ProjectId = null! }, builder.WithProjectId(null).Build());

        var progress = new ProgressReportedBuilder().WithEventId(id);
        var report = progress.Build();
        Assert.Equal(report with { Unit = "hectare" }, progress.WithUnit("hectare").Build());
    }

    [Fact]
    public void A_retraction_can_name_the_report_it_withdraws()
    {
        var report = new MilestoneReachedBuilder().WithProjectId("subway-16-south").WithMilestoneCode("opened").WithSourceSystem("metro-operator").Build();
        var retraction = new MilestoneRetractedBuilder().Retracting(report).Build();
        Assert.Equal((report.ProjectId, report.EventId, "metro-operator"), (retraction.ProjectId, retraction.RetractedEventId, retraction.SourceSystem));
        Assert.Null(Kit.Validate(retraction));
    }

    [Fact]
    public void A_registration_can_amend_a_catalog_entry()
    {
        var lize = TestCatalog.Snapshot.Find("lize-city-terminal")!;
        var amended = new ProjectRegisteredBuilder()
            .WithRevision(2)
            .WithProject(CatalogEntryBuilder.From(lize).WithPlan([.. lize.Plan.Milestones], ["topped-out", "completed", "opened"]).Build())
            .Build();
        Assert.Null(Kit.Validate(amended));
        Assert.Equal((lize.Id, lize.NameZh, lize.NameEn, lize.Area, lize.ExistsSince), (amended.Project.Id, amended.Project.NameZh, amended.Project.NameEn, amended.Project.Area, amended.Project.ExistsSince));
        Assert.Equal(lize.Plan.Milestones, amended.Project.Plan.Milestones);
        Assert.Equal(["topped-out", "completed", "opened"], amended.Project.Plan.Required);
        Assert.Equal(lize.Schedule, amended.Project.Schedule);
        Assert.Equal(2, amended.Revision);
    }

    [Fact]
    public void The_catalog_snapshot_reads_the_checked_in_file()
    {
        var snapshot = TestCatalog.Snapshot;
        Assert.Contains(snapshot.Entries, e => e.Id == "nanyuan-forest-wetland-park" && e.Targets!.Single().Target == 2037m);
        Assert.Contains("fengtai-pmo", snapshot.SourceIds!);
        Assert.Equal(snapshot.Entries.Count, snapshot.Entries.Select(e => e.Id).Distinct().Count());
        Assert.All(snapshot.Entries, e => Assert.Empty(Kit.EntryProblems(e, 1)));
    }

    [Fact]
    public void Outbound_builders_give_what_the_service_publishes()
    {
        var completed = new ProjectCompletedBuilder().Build();
        Assert.Equal("subway-16-south", completed.ProjectId);
        Assert.Equal("opened", Assert.Single(completed.Milestones).MilestoneCode);
        Assert.Equal(completed.TriggeringEventId, completed.Milestones[0].EventId);
        var withTarget = new ProjectCompletedBuilder().ForProject("nanyuan-forest-wetland-park", "南苑森林湿地公园")
            .WithMilestone("opened").WithTarget("open-area", 2037m, 2037m, "mu", MessageCorpus.Now, Guid.NewGuid()).WithCompletionNumber(2).Build();
        Assert.Equal((2, "open-area"), (withTarget.CompletionNumber, Assert.Single(withTarget.Targets!).Metric));

        var reopened = new ProjectReopenedBuilder().Build();
        Assert.Equal(("retraction", reopened.RetractionEventId), (reopened.Cause, reopened.TriggeringEventId!.Value));
        Assert.NotEqual(Guid.Empty, reopened.RetractedEventId);
        var amended = new ProjectReopenedBuilder().CausedBy("plan-amended", Guid.NewGuid(), "fengtai-pmo", "plan amended").WithMissingMilestones("topped-out").Build();
        Assert.Equal((Guid.Empty, "plan-amended", "topped-out"), (amended.RetractedEventId, amended.Cause, Assert.Single(amended.MissingMilestones)));

        var met = new TargetMetBuilder().MetBy(2100m, MessageCorpus.Now).Build();
        Assert.Equal((2037m, 2100m, "mu", 1), (met.Target, met.Value, met.Unit, met.Number));

        var overdue = new MilestoneOverdueBuilder().Build();
        Assert.Equal(("completed", new DateOnly(2023, 12, 31), 0), (overdue.MilestoneCode, overdue.DueDate, overdue.DaysLate));

        var report = new ProgressReportedBuilder().Build();
        var recorded = MilestoneRecordedBuilder.FromProgress(report).WithProjectComplete(true).Build();
        Assert.Equal(("progress", report.EventId, 2037m, true), (recorded.Kind, recorded.EventId, recorded.Value!.Value, recorded.ProjectComplete));
        Assert.Equal("reached", new MilestoneRecordedBuilder().Build().Kind);
    }

    [Fact]
    public void Built_messages_serialize_with_camel_case_names_as_the_schemas_say()
    {
        var json = JsonSerializer.Serialize(new MilestoneReachedBuilder().Build(), JsonSerializerOptions.Web);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("lize-city-terminal", doc.RootElement.GetProperty("projectId").GetString());
        Assert.Equal("topped-out", doc.RootElement.GetProperty("milestoneCode").GetString());
    }
}
