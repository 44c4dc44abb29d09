using System.Net.Http.Json;
using System.Text.Json;
using Milestones.Contracts;
using Milestones.Worker.Consumers;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.Targets;

/// <summary>
/// The living catalog over the broker: the registrar's <c>ProjectRegistered</c> revision 2 that adds a required milestone
/// to a complete project reopens it (cause <c>plan-amended</c>); a stale revision (1, or 2 again with other content) is
/// recorded and changes nothing; a registration from a source without the registrar role is refused; a project
/// registered at run time can be reported on at once.
/// </summary>
public sealed class Catalog_registrations(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    const string Registrar = "fengtai-pmo";

    static readonly DateTimeOffset Day = new(2023, 2, 1, 9, 0, 0, TimeSpan.FromHours(8));

    static JsonElement Body(ReceivedMessage m) => m.JsonBody.GetProperty("message");

    static ProjectRegistered Registration(CatalogEntry entry, int revision, int day = 0) => new()
    {
        EventId = Guid.NewGuid(),
        Revision = revision,
        Project = entry,
        RegisteredAt = Day.AddDays(day),
        Note = $"revision {revision}",
    };

    [Fact]
    public async Task A_revision_that_adds_a_required_milestone_reopens_a_complete_project_and_a_stale_one_changes_nothing()
    {
        var (worker, client) = await fixture.Start();
        await client.Subscribe(Queues.CompletedExchange, "it-reg-completed");
        await client.Subscribe(Queues.ReopenedExchange, "it-reg-reopened");
        await client.Subscribe(Queues.RecordedExchange, "it-reg-recorded");
        var opened = Events.Valid("subway-16-south", "opened") with { OccurredAt = Day.AddDays(-40), ReportedAt = Day.AddDays(-40) };
        await client.PublishJson(Queues.InputExchange, opened, opened.EventId.ToString());
        await client.WaitFor("it-reg-completed", m => Body(m).GetProperty("projectId").GetString() == "subway-16-south");

        // Revision 2: completion now also needs "completed" (竣工), which nobody reported.
        var seeded = Events.Catalog.Get("subway-16-south").ToContract();
        var amended = seeded with { Plan = new CatalogPlan(seeded.Plan.Milestones, ["completed", "opened"]) };
        var revision2 = Registration(amended, 2);
        await client.PublishJson(Queues.RegisteredExchange, revision2, revision2.EventId.ToString(), userId: Registrar);

        var reopened = await client.WaitFor("it-reg-reopened", m => Body(m).GetProperty("projectId").GetString() == "subway-16-south");
        Assert.Equal("plan-amended", Body(reopened).GetProperty("cause").GetString());
        Assert.Equal(revision2.EventId, Body(reopened).GetProperty("triggeringEventId").GetGuid());
        Assert.Equal(["completed"], Body(reopened).GetProperty("missingMilestones").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, Body(reopened).GetProperty("reopenNumber").GetInt32());

        // Stale: revision 1 and another revision 2 that would both make "opened" enough again, and so complete it.
        var stale1 = Registration(seeded, 1, day: 1);
        var stale2 = Registration(amended with { Plan = new CatalogPlan(seeded.Plan.Milestones, ["opened"]), NameEn = "Metro Line 16 south (stale)" }, 2, day: 2);
        foreach (var stale in new[] { stale1, stale2 })
        {
            await client.PublishJson(Queues.RegisteredExchange, stale, stale.EventId.ToString(), userId: Registrar);
            await Poll.Until(() => worker.Store.HasEvent(stale.EventId), TimeSpan.FromSeconds(30), () => $"stale revision {stale.Revision} was not recorded");
        }
        await Poll.Until(() => worker.Store.PendingOutbox() == 0, TimeSpan.FromSeconds(30), () => "the outbox did not empty");

        var project = await worker.Http.GetFromJsonAsync<JsonElement>("/projects/subway-16-south", TestContext.Current.CancellationToken);
        Assert.False(project.GetProperty("isComplete").GetBoolean());
        Assert.Equal(amended.NameEn, project.GetProperty("nameEn").GetString());   // not the stale revision's name
        Assert.Single(await client.Drain("it-reg-completed"), m => Body(m).GetProperty("projectId").GetString() == "subway-16-south");
        Assert.Single(await client.Drain("it-reg-reopened"), m => Body(m).GetProperty("projectId").GetString() == "subway-16-south");
        var recorded = (await client.Drain("it-reg-recorded")).Select(Body).ToList();
        Assert.True(recorded.Single(m => m.GetProperty("eventId").GetGuid() == revision2.EventId).GetProperty("changed").GetBoolean());
        foreach (var stale in new[] { stale1, stale2 })
        {
            var feed = recorded.Single(m => m.GetProperty("eventId").GetGuid() == stale.EventId);
            Assert.Equal("registered", feed.GetProperty("kind").GetString());
            Assert.Equal(stale.Revision, feed.GetProperty("revision").GetInt32());
            Assert.False(feed.GetProperty("changed").GetBoolean());
            Assert.False(feed.GetProperty("projectComplete").GetBoolean());
        }
    }

    [Fact]
    public async Task A_registration_from_a_source_without_the_registrar_role_goes_to_the_error_queue()
    {
        var (worker, client) = await fixture.Start();
        var entry = Events.Catalog.Get("lize-city-terminal").ToContract();
        var registration = Registration(entry with { Plan = new CatalogPlan(entry.Plan.Milestones, ["opened"]) }, 5);

        await client.PublishJson(Queues.RegisteredExchange, registration, registration.EventId.ToString(), userId: "lize-pmo");

        var error = await client.WaitFor(Queues.RegistrationsError, m => m.Text.Contains(registration.EventId.ToString(), StringComparison.Ordinal));
        Assert.Equal("source-not-authorized", error.Header(MilestonesHeaders.RejectionReason));
        Assert.False(worker.Store.HasEvent(registration.EventId));
    }

    [Fact]
    public async Task A_project_registered_at_run_time_can_then_be_reported_on_and_completes()
    {
        var (worker, client) = await fixture.Start();
        await client.Subscribe(Queues.CompletedExchange, "it-reg-new-completed");
        var entry = new CatalogEntry
        {
            Id = "wanping-town-conservation",
            NameZh = "宛平城地区整体保护提升",
            NameEn = "Wanping Town conservation and renewal",
            Area = "宛平城地区",
            AreaEn = "Wanping Town area",
            Kind = "urban-renewal",
            ExistsSince = new DateOnly(2022, 1, 1),
            Plan = new CatalogPlan(["construction-started", "completed"], ["completed"]),
            Targets = [],
            Schedule = [new CatalogScheduleItem("completed", new DateOnly(2025, 12, 31), "2025年底")],
            Reporters = ["south-axis-pmo"],
        };
        var registration = Registration(entry, 1);
        await client.PublishJson(Queues.RegisteredExchange, registration, registration.EventId.ToString(), userId: Registrar);
        await Poll.Until(() => worker.Store.HasEvent(registration.EventId), TimeSpan.FromSeconds(30), () => "the registration was not recorded");

        // A reporter the entry names reports on it, as on any catalog project.
        var completed = Events.Valid("wanping-town-conservation", "completed") with { SourceSystem = null, OccurredAt = Day.AddDays(30), ReportedAt = Day.AddDays(30) };
        await client.PublishJson(Queues.InputExchange, completed, completed.EventId.ToString(), userId: "south-axis-pmo");

        var completion = await client.WaitFor("it-reg-new-completed", m => Body(m).GetProperty("projectId").GetString() == "wanping-town-conservation");
        Assert.Equal("宛平城地区整体保护提升", Body(completion).GetProperty("projectName").GetString());
        var project = await worker.Http.GetFromJsonAsync<JsonElement>("/projects/wanping-town-conservation", TestContext.Current.CancellationToken);
        Assert.True(project.GetProperty("isComplete").GetBoolean());
    }
}
