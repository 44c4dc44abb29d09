using Microsoft.Data.Sqlite;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.Sqlite;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Operations;

/// <summary>
/// <c>rebuild</c> and <c>outbox list|redrive</c> on the real embedded store: events recorded by the real recorder with the
/// shipped catalog, the state row then changed by hand as an operator (or a bug) would, and the commands run through
/// their entry point (and once as a process).
/// </summary>
public sealed class Rebuilding_state_and_redriving_the_outbox : IDisposable
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    readonly TempDirectory directory = Paths.NewTempDirectory();

    string StorePath => directory.File("milestones.db");

    IEnumerable<KeyValuePair<string, string?>> Settings => OpsCli.StoreSettings(StorePath).Append(new("Messaging:Transport", "InMemory"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        directory.Dispose();
    }

    /// <summary>Records, through the recorder: 地铁16号线南段 opened (complete, one outbox entry), 丽泽 started, 丰台站 started.</summary>
    async Task<SqliteMilestoneStore> Recorded()
    {
        var store = new SqliteMilestoneStore(StorePath);
        // Without the event feed, so the outbox holds the completion alone (the feed's entries are leased and sent like it).
        var recorder = new MilestoneRecorder(store, Events.Catalog, new MilestoneValidator(Events.Catalog, TimeProvider.System, ValidationLimits.Default), TimeProvider.System,
            new RecorderOptions { PublishRecorded = false });
        foreach (var e in new[] { Events.Valid("subway-16-south", "opened"), Events.Valid("lize-city-terminal"), Events.Valid("fengtai-station-integration") })
        {
            var outcome = await recorder.Record(new MilestoneEvent
            {
                EventId = e.EventId, ProjectId = e.ProjectId, MilestoneCode = e.MilestoneCode, OccurredAt = e.OccurredAt, ReportedAt = e.ReportedAt, SourceSystem = Events.Source,
            }, Cancel);
            Assert.Equal(RecordStatus.Applied, outcome.Status);
        }
        Assert.True((await store.LoadProject("subway-16-south", Cancel))!.State.IsComplete);
        return store;
    }

    void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    static Dictionary<string, System.Text.Json.JsonElement> ByProject(OpsResult result) =>
        result.Json.GetProperty("projects").EnumerateArray().ToDictionary(p => p.GetProperty("projectId").GetString()!);

    [Fact]
    public async Task Rebuild_reports_and_repairs_exactly_the_project_whose_state_row_was_changed_by_hand()
    {
        var store = await Recorded();
        var before = await store.LoadProject("subway-16-south", Cancel);
        Sql("UPDATE projects SET state = json_set(state, '$.isComplete', json('false'), '$.completionCount', 0) WHERE project_id = 'subway-16-south'");

        var report = await OpsCli.Run(Settings, "rebuild", "--json");

        Assert.Equal(0, report.ExitCode);
        var projects = ByProject(report);
        Assert.Equal(["fengtai-station-integration", "lize-city-terminal", "subway-16-south"], projects.Keys.Order());
        Assert.Equal("differs", projects["subway-16-south"].GetProperty("status").GetString());
        Assert.Equal(["complete: stored False, events give True", "completions: stored 0, events give 1"],
            projects["subway-16-south"].GetProperty("differences").EnumerateArray().Select(d => d.GetString()));
        Assert.All(projects.Where(p => p.Key != "subway-16-south"), p => Assert.Equal("same", p.Value.GetProperty("status").GetString()));
        // Its completion is in the outbox already: nothing to say about announcements.
        Assert.Empty(projects["subway-16-south"].GetProperty("unannounced").EnumerateArray());
        Assert.False((await store.LoadProject("subway-16-south", Cancel))!.State.IsComplete);

        var repaired = await OpsCli.Run(Settings, "rebuild", "--repair", "--json");

        Assert.Equal("repaired", ByProject(repaired)["subway-16-south"].GetProperty("status").GetString());
        var after = (await store.LoadProject("subway-16-south", Cancel))!;
        Assert.Equal(before!.State, after.State);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(1, await Outbox(store));
        var again = await OpsCli.Run(Settings, "rebuild");
        Assert.Contains("Every stored state is what its events give.", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_with_events_and_no_state_row_is_found_and_a_completion_never_enqueued_is_reported_not_sent()
    {
        var store = await Recorded();
        Sql("DELETE FROM projects WHERE project_id = 'subway-16-south'");
        Sql("DELETE FROM outbox WHERE project_id = 'subway-16-south'");

        var report = await OpsCli.Run(Settings, "rebuild", "--project", "subway-16-south", "--repair", "--json");

        var project = Assert.Single(ByProject(report)).Value;
        Assert.Equal("repaired", project.GetProperty("status").GetString());
        Assert.Equal("no state row, but 1 recorded event(s)", Assert.Single(project.GetProperty("differences").EnumerateArray()).GetString());
        var completion = new ProjectCompletion("subway-16-south", 1, default, [], default);
        Assert.Contains($"completion #1 (message id {completion.MessageId}) was never enqueued", Assert.Single(project.GetProperty("unannounced").EnumerateArray()).GetString(), StringComparison.Ordinal);
        var state = (await store.LoadProject("subway-16-south", Cancel))!;
        Assert.True(state.State.IsComplete);
        Assert.Equal(1, state.State.CompletionCount);
        Assert.Equal(0, await Outbox(store));
    }

    [Fact]
    public async Task Rebuild_as_a_process_reads_the_same_configuration()
    {
        await Recorded();
        Sql("UPDATE projects SET state = json_set(state, '$.completionCount', 7) WHERE project_id = 'lize-city-terminal'");

        var report = await OpsCli.RunProcess(Settings, "rebuild", "--json");

        Assert.Equal(0, report.ExitCode);
        var projects = ByProject(report);
        Assert.Equal("differs", projects["lize-city-terminal"].GetProperty("status").GetString());
        Assert.Equal(1, projects.Values.Count(p => p.GetProperty("status").GetString() != "same"));
    }

    [Fact]
    public async Task Outbox_redrive_releases_a_stuck_lease_so_one_dispatcher_claims_the_entry_and_never_a_running_one_unless_forced()
    {
        var store = await Recorded();
        await store.ClaimPending("dead-dispatcher", 10, TimeSpan.FromHours(1), Cancel);

        var listed = await OpsCli.Run(Settings, "outbox", "list", "--json");

        var entry = Assert.Single(listed.Json.GetProperty("entries").EnumerateArray());
        Assert.Equal("subway-16-south", entry.GetProperty("projectId").GetString());
        Assert.Equal("completed", entry.GetProperty("kind").GetString());
        Assert.Equal("dead-dispatcher", entry.GetProperty("leaseOwner").GetString());
        Assert.False(entry.GetProperty("leaseExpired").GetBoolean());
        Assert.False(entry.GetProperty("stuck").GetBoolean());
        Assert.True(Assert.Single((await OpsCli.Run(Settings, "outbox", "list", "--json", "--stuck-after", "00:00:00")).Json.GetProperty("entries").EnumerateArray()).GetProperty("stuck").GetBoolean());

        // Not stuck: the default selection is empty. Selected but still leased: left alone.
        Assert.Empty((await OpsCli.Run(Settings, "outbox", "redrive", "--json")).Json.GetProperty("entries").EnumerateArray());
        var running = await OpsCli.Run(Settings, "outbox", "redrive", "--all", "--json");
        Assert.StartsWith("lease still running", Assert.Single(running.Json.GetProperty("entries").EnumerateArray()).GetProperty("action").GetString(), StringComparison.Ordinal);
        var dry = await OpsCli.Run(Settings, "outbox", "redrive", "--all", "--force", "--dry-run", "--json");
        Assert.Equal("would release the lease", Assert.Single(dry.Json.GetProperty("entries").EnumerateArray()).GetProperty("action").GetString());
        Assert.Empty(await store.ClaimPending("live-dispatcher", 10, TimeSpan.FromMinutes(1), Cancel));

        var forced = await OpsCli.Run(Settings, "outbox", "redrive", "--all", "--force", "--json");

        Assert.Equal("lease released", Assert.Single(forced.Json.GetProperty("entries").EnumerateArray()).GetProperty("action").GetString());
        Assert.Single(await store.ClaimPending("live-dispatcher", 10, TimeSpan.FromMinutes(1), Cancel));
        Assert.Empty(await store.ClaimPending("another-dispatcher", 10, TimeSpan.FromMinutes(1), Cancel));
        Assert.Equal(1, await Outbox(store));
    }

    [Fact]
    public async Task An_expired_lease_is_stuck_and_released_by_default()
    {
        var store = await Recorded();
        await store.ClaimPending("dead-dispatcher", 10, TimeSpan.FromMilliseconds(1), Cancel);
        await Task.Delay(50, Cancel);

        var entry = Assert.Single((await OpsCli.Run(Settings, "outbox", "list", "--json")).Json.GetProperty("entries").EnumerateArray());
        Assert.True(entry.GetProperty("leaseExpired").GetBoolean());
        Assert.True(entry.GetProperty("stuck").GetBoolean());

        var redrive = await OpsCli.Run(Settings, "outbox", "redrive", "--json");

        Assert.Equal("lease released", Assert.Single(redrive.Json.GetProperty("entries").EnumerateArray()).GetProperty("action").GetString());
        Assert.Null(Assert.Single(await ((IStoreMaintenance)store).ListPendingOutbox(Cancel)).LeaseOwner);
        var table = await OpsCli.Run(Settings, "outbox", "list");
        Assert.Contains("subway-16-south", table.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Records, through the recorder on a catalog of its own (registrations change it): 丽泽城市航站楼 amended by a
    /// registration of revision 2 that requires only the start of construction, then started (complete under the
    /// amended plan only); and a project no catalog file has, registered and started (complete).
    /// </summary>
    async Task<SqliteMilestoneStore> RecordedWithRegistrations()
    {
        var catalog = ProjectCatalog.LoadFile(Path.Combine(Paths.WorkerDirectory, "catalog", "fengtai-2023.json"));
        var store = new SqliteMilestoneStore(StorePath);
        var recorder = new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, TimeProvider.System, ValidationLimits.Default), TimeProvider.System);
        var lize = catalog.Get("lize-city-terminal");
        var amended = lize with { Revision = 2, Plan = lize.Plan with { Required = ["construction-started"] } };
        var registeredOnly = amended with { Id = "fengtai-registered-park", NameZh = "丰台登记公园", NameEn = "Fengtai registered park", Revision = 1, Schedule = [], Reporters = [] };
        var at = new DateTimeOffset(2021, 2, 1, 8, 0, 0, TimeSpan.FromHours(8));
        foreach (var entry in new[] { amended, registeredOnly })
        {
            var registration = new CatalogRegistration { EventId = Guid.NewGuid(), Definition = entry, RegisteredAt = at, SourceSystem = Events.Source };
            Assert.Equal(RecordStatus.Applied, Assert.Single(await recorder.Record([RecordRequest.Of(registration)], Cancel)).Status);
        }
        foreach (var id in new[] { "lize-city-terminal", "fengtai-registered-park" })
        {
            var e = Events.Valid(id);
            var outcome = await recorder.Record(new MilestoneEvent
            {
                EventId = e.EventId, ProjectId = e.ProjectId, MilestoneCode = e.MilestoneCode, OccurredAt = e.OccurredAt, ReportedAt = e.ReportedAt, SourceSystem = Events.Source,
            }, Cancel);
            Assert.Equal(RecordStatus.Applied, outcome.Status);
            Assert.NotNull(outcome.Completion);
        }
        return store;
    }

    [Fact]
    public async Task Rebuild_replays_registrations_from_the_catalog_files_entry_on_and_rebuilds_projects_only_registrations_define()
    {
        var store = await RecordedWithRegistrations();
        var lize = (await store.LoadProject("lize-city-terminal", Cancel))!;
        var registered = (await store.LoadProject("fengtai-registered-park", Cancel))!;
        Assert.Equal(2, lize.State.Registration!.Revision);

        // The stored states are what their events give, under the catalog file's entry and the registrations after it.
        var report = await OpsCli.Run(Settings, "rebuild", "--json");

        var projects = ByProject(report);
        Assert.Equal(["fengtai-registered-park", "lize-city-terminal"], projects.Keys.Order());
        Assert.All(projects.Values, p => Assert.Equal("same", p.GetProperty("status").GetString()));
        Assert.All(projects.Values, p => Assert.Empty(p.GetProperty("unannounced").EnumerateArray()));

        // Both rows lose their completion and their registration by hand; the repair gives both back whole.
        Sql("UPDATE projects SET state = json_remove(json_set(state, '$.isComplete', json('false'), '$.completionCount', 0), '$.registration') WHERE project_id = 'lize-city-terminal'");
        Sql("UPDATE projects SET state = json_remove(json_set(state, '$.isComplete', json('false'), '$.completionCount', 0), '$.registration') WHERE project_id = 'fengtai-registered-park'");

        var repaired = ByProject(await OpsCli.Run(Settings, "rebuild", "--repair", "--json"));

        Assert.All(repaired.Values, p => Assert.Equal("repaired", p.GetProperty("status").GetString()));
        Assert.Contains(repaired["lize-city-terminal"].GetProperty("differences").EnumerateArray(),
            d => d.GetString()!.StartsWith("registration: stored none, events give revision 2", StringComparison.Ordinal));
        var lizeAfter = (await store.LoadProject("lize-city-terminal", Cancel))!;
        var registeredAfter = (await store.LoadProject("fengtai-registered-park", Cancel))!;
        Assert.Equal(lize.State, lizeAfter.State);
        Assert.Equal(registered.State, registeredAfter.State);
        Assert.Equal(["construction-started"], registeredAfter.State.Registration!.Definition.Plan.Required);
        Assert.Contains("Every stored state is what its events give.", (await OpsCli.Run(Settings, "rebuild")).Output, StringComparison.Ordinal);
    }

    static async Task<long> Outbox(SqliteMilestoneStore store) =>
        (await ((IStoreMaintenance)store).ReadEnqueuedMessageIds("subway-16-south", Cancel))!.Count;
}
