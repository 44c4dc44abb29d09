using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.Sqlite;
using Milestones.Worker.Consumers;
using Milestones.Worker.Telemetry;

namespace Milestones.Telemetry.Tests;

/// <summary>
/// ProjectCompleted is published later, by the outbox dispatcher: the entry keeps the traceparent of the work that
/// committed it, whichever store holds it, so that the publish joins that trace.
/// </summary>
public class Keeping_the_trace_with_the_outbox_entry
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly ProjectCatalog Catalog = ProjectCatalog.LoadFile(Path.Combine(Paths.WorkerProject, "catalog", "fengtai-2023.json"));

    static MilestoneEvent MetroOpened() => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = "subway-16-south",
        MilestoneCode = "opened",
        OccurredAt = new DateTimeOffset(2022, 12, 30, 10, 0, 0, TimeSpan.FromHours(8)),
        ReportedAt = new DateTimeOffset(2022, 12, 30, 11, 0, 0, TimeSpan.FromHours(8)),
        SourceSystem = "metro-operator",
    };

    /// <summary>What the consumers record through: the intake, on the recorder, on the traced store.</summary>
    static Func<MilestoneEvent, Task<RecordOutcome>> Intake(IProjectStore store)
    {
        var recorder = new MilestoneRecorder(new TracingProjectStore(store), Catalog,
            new MilestoneValidator(Catalog, TimeProvider.System, ValidationLimits.Default), TimeProvider.System);
        var intake = new RecordingIntake(recorder, new MilestonesTelemetry(new MeterFactory()), new StoreOutage([new SqliteStoreOutage()]));
        return e => intake.Record(RecordRequest.Of(e), Cancel);
    }

    [Fact]
    public async Task A_completion_recorded_inside_a_span_is_stored_with_that_span_as_its_trace_parent()
    {
        var sqlite = new SqliteMilestoneStore(Paths.NewDatabase());
        using var span = new Activity("milestone record").SetIdFormat(ActivityIdFormat.W3C).Start();

        var outcome = await Intake(sqlite)(MetroOpened());
        span.Stop();

        Assert.NotNull(outcome.Completion);
        // The completion and the event feed's entry, both with the span as their trace parent.
        var entries = await sqlite.ClaimPending("test", 10, TimeSpan.FromMinutes(1), Cancel);
        Assert.Single(entries, e => e.Message is ProjectCompletion);
        Assert.Single(entries, e => e.Message is EventRecordedNotice);
        Assert.All(entries, e => Assert.Equal(span.Id, e.TraceParent));
    }

    [Fact]
    public async Task A_completion_recorded_outside_any_trace_has_no_trace_parent()
    {
        Assert.Null(Activity.Current);
        var sqlite = new SqliteMilestoneStore(Paths.NewDatabase());

        await Intake(sqlite)(MetroOpened());

        var entries = await sqlite.ClaimPending("test", 10, TimeSpan.FromMinutes(1), Cancel);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Null(e.TraceParent));
    }

    [Fact]
    public async Task An_outbox_table_from_before_the_trace_parent_column_gets_it_when_the_file_is_opened()
    {
        var path = Paths.NewDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var old = new SqliteConnection($"Data Source={path}"))
        {
            await old.OpenAsync(Cancel);
            await using var create = old.CreateCommand();
            // The outbox table as the first release created it.
            create.CommandText = """
                CREATE TABLE outbox (
                    message_id TEXT NOT NULL PRIMARY KEY, project_id TEXT NOT NULL, payload TEXT NOT NULL,
                    enqueued_at INTEGER NOT NULL, sent_at INTEGER NULL, lease_owner TEXT NULL, lease_until INTEGER NULL);
                """;
            await create.ExecuteNonQueryAsync(Cancel);
        }
        SqliteConnection.ClearAllPools();

        var store = new SqliteMilestoneStore(path);
        _ = new SqliteMilestoneStore(path); // opening again is harmless
        using var span = new Activity("milestone record").SetIdFormat(ActivityIdFormat.W3C).Start();
        await Intake(store)(MetroOpened());
        span.Stop();

        var entries = await store.ClaimPending("test", 10, TimeSpan.FromMinutes(1), Cancel);
        Assert.Single(entries, e => e.Message is ProjectCompletion);
        Assert.All(entries, e => Assert.Equal(span.Id, e.TraceParent));
    }
}
