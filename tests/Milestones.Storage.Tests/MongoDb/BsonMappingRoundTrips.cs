using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using Milestones.Storage.Tests.TestData;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// Every stored type written to BSON and read back, with no server: instants keep their exact ticks (the domain
/// compares UtcTicks), ids are standard UUIDs, optional fields are omitted rather than stored as null.
/// </summary>
public sealed class BsonMappingRoundTrips
{
    static readonly DateTimeOffset RecordedAt = new DateTimeOffset(2023, 6, 1, 10, 15, 30, TimeSpan.FromHours(8)).AddTicks(9_999_999);

    [Fact]
    public void Event_document_round_trips_with_exact_ticks_in_utc()
    {
        var e = TestEvents.Reached(TestCatalog.Hub, "construction-started", 5);
        var record = EventRecord.From(e, RecordedAt);

        var bson = EventDocument.From(record).ToBsonDocument();
        var back = BsonSerializer.Deserialize<EventDocument>(bson);

        Assert.Equal(record, back.ToRecord());
        AssertSameInstant(record.OccurredAt, back.OccurredAt);
        AssertSameInstant(record.ReportedAt, back.ReportedAt);
        AssertSameInstant(record.RecordedAt, back.RecordedAt);
        Assert.False(back.Applied);

        AssertStandardUuid(bson["_id"], e.EventId);
        Assert.Equal(record.OccurredAt.UtcTicks, bson["occurredAt"]["Ticks"].AsInt64);
        Assert.Equal(0, bson["occurredAt"]["Offset"].ToInt32());
        // The readable date next to the ticks is the same instant, to the millisecond.
        Assert.Equal(record.OccurredAt.UtcDateTime.Ticks / TimeSpan.TicksPerMillisecond,
            bson["occurredAt"]["DateTime"].ToUniversalTime().Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Equal(e.Fingerprint, bson["fingerprint"].AsString);
        Assert.Equal(TestCatalog.Hub, bson["projectId"].AsString);
    }

    [Fact]
    public void Event_document_without_note_or_evidence_omits_them_and_reads_them_back_as_null()
    {
        var record = EventRecord.From(TestEvents.Reached(TestCatalog.Hub, "approved", 1, note: null, evidence: null), RecordedAt);

        var bson = EventDocument.From(record).ToBsonDocument();
        var back = BsonSerializer.Deserialize<EventDocument>(bson).ToRecord();

        Assert.False(bson.Contains("note"));
        Assert.False(bson.Contains("evidenceUrl"));
        Assert.Null(back.Note);
        Assert.Null(back.EvidenceUrl);
        Assert.Equal(record, back);
    }

    [Fact]
    public void Project_document_round_trips_state_version_and_pending_entries()
    {
        var (commit, completion) = CompletingCommit();

        var document = ProjectDocument.First(commit);
        var bson = document.ToBsonDocument();
        var back = BsonSerializer.Deserialize<ProjectDocument>(bson);

        var snapshot = back.ToSnapshot();
        Assert.Equal(1, snapshot.Version);
        Assert.Equal(commit.State, snapshot.State);
        foreach (var (code, milestone) in commit.State.Reached)
        {
            AssertSameInstant(milestone.OccurredAt, snapshot.State.Reached[code].OccurredAt);
            AssertSameInstant(milestone.ReportedAt, snapshot.State.Reached[code].ReportedAt);
        }
        var entry = Assert.Single(back.Outbox).ToDomain(back.Id);
        AssertSameEntry(commit.Outbox[0], entry);
        Assert.Equal(completion.MessageId, entry.MessageId);
        Assert.Equal(commit.Outbox[0].EnqueuedAt.UtcDateTime.Ticks / TimeSpan.TicksPerMillisecond,
            back.PendingSince!.Value.Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Equal(DateTimeKind.Utc, back.PendingSince.Value.Kind);
        AssertStandardUuid(bson["outbox"][0]["messageId"], completion.MessageId);
        AssertStandardUuid(bson["reached"][0]["eventId"], commit.State.Reached.Values.First().EventId);
        Assert.Equal(TestCatalog.Hub, bson["_id"].AsString);
        Assert.Equal(BsonType.Int64, bson["version"].BsonType);
    }

    [Fact]
    public void Project_document_with_a_lease_round_trips_it()
    {
        var (commit, _) = CompletingCommit();
        var until = new DateTime(2023, 6, 1, 8, 0, 30, 123, DateTimeKind.Utc);
        var first = ProjectDocument.First(commit);
        var leased = new ProjectDocument
        {
            Id = first.Id,
            Version = 7,
            IsComplete = first.IsComplete,
            CompletionCount = first.CompletionCount,
            Reached = first.Reached,
            UpdatedAt = first.UpdatedAt,
            Outbox = first.Outbox,
            PendingSince = first.PendingSince,
            LeaseOwner = "replica-a",
            LeaseUntil = until,
        };

        var back = BsonSerializer.Deserialize<ProjectDocument>(leased.ToBsonDocument());

        Assert.Equal("replica-a", back.LeaseOwner);
        Assert.Equal(until, back.LeaseUntil);
        Assert.Equal(7, back.Version);
    }

    [Fact]
    public void Project_document_without_pending_entries_has_no_pending_marker_or_lease()
    {
        var e = TestEvents.Reached(TestCatalog.Hub, "approved", 1);
        var commit = new ProjectCommit(EventRecord.From(e, RecordedAt), 0, ProjectState.Empty(TestCatalog.Hub).Apply(TestCatalog.Plan, e).State, []);

        var bson = ProjectDocument.First(commit).ToBsonDocument();

        Assert.False(bson.Contains("pendingSince"));
        Assert.False(bson.Contains("leaseOwner"));
        Assert.False(bson.Contains("leaseUntil"));
        Assert.Empty(bson["outbox"].AsBsonArray);
        Assert.Equal(commit.State, BsonSerializer.Deserialize<ProjectDocument>(bson).ToSnapshot().State);
    }

    [Fact]
    public void Outbox_entry_document_round_trips_the_completion()
    {
        var (commit, _) = CompletingCommit();
        var entry = commit.Outbox[0];

        var back = BsonSerializer.Deserialize<OutboxEntryDocument>(OutboxEntryDocument.From(entry).ToBsonDocument()).ToDomain(entry.ProjectId);

        AssertSameEntry(entry, back);
    }

    [Fact]
    public void Reached_milestone_document_round_trips_with_exact_ticks()
    {
        var milestone = ReachedMilestone.From(TestEvents.Reached(TestCatalog.Hub, "topped-out", 77));

        var back = BsonSerializer.Deserialize<ReachedMilestoneDocument>(ReachedMilestoneDocument.From(milestone).ToBsonDocument()).ToDomain();

        Assert.Equal(milestone, back);
        AssertSameInstant(milestone.OccurredAt, back.OccurredAt);
        AssertSameInstant(milestone.ReportedAt, back.ReportedAt);
    }

    [Fact]
    public void Documents_written_by_a_newer_version_with_extra_fields_still_read()
    {
        var (commit, _) = CompletingCommit();
        var bson = ProjectDocument.First(commit).ToBsonDocument();
        bson["addedLater"] = "x";
        bson["outbox"][0]["addedLater"] = 1;
        var eventBson = EventDocument.From(commit.Event).ToBsonDocument();
        eventBson["addedLater"] = true;

        Assert.Equal(commit.State, BsonSerializer.Deserialize<ProjectDocument>(bson).ToSnapshot().State);
        Assert.Equal(commit.Event, BsonSerializer.Deserialize<EventDocument>(eventBson).ToRecord());
    }

    static (ProjectCommit Commit, ProjectCompletion Completion) CompletingCommit()
    {
        var state = ProjectState.Empty(TestCatalog.Hub);
        MilestoneOutcome? outcome = null;
        MilestoneEvent? last = null;
        foreach (var e in TestEvents.Completing(TestCatalog.Hub))
        {
            outcome = state.Apply(TestCatalog.Plan, e);
            state = outcome.State;
            last = e;
        }
        var completion = outcome!.Completion!;
        var entry = OutboxEntry.For(completion, RecordedAt.AddTicks(1)) with { TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
        var commit = new ProjectCommit(EventRecord.From(last!, RecordedAt), 0, state, [entry]);
        return (commit, completion);
    }

    static void AssertSameEntry(OutboxEntry expected, OutboxEntry actual)
    {
        Assert.Equal(expected.MessageId, actual.MessageId);
        Assert.Equal(expected.ProjectId, actual.ProjectId);
        AssertSameInstant(expected.EnqueuedAt, actual.EnqueuedAt);
        Assert.Equal(expected.Completion.ProjectId, actual.Completion.ProjectId);
        Assert.Equal(expected.Completion.CompletionNumber, actual.Completion.CompletionNumber);
        AssertSameInstant(expected.Completion.CompletedAt, actual.Completion.CompletedAt);
        Assert.Equal(expected.Completion.TriggeringEventId, actual.Completion.TriggeringEventId);
        Assert.Equal(expected.Completion.Milestones, actual.Completion.Milestones);
        Assert.Equal(expected.Completion.MessageId, actual.Completion.MessageId);
        Assert.Equal(expected.TraceParent, actual.TraceParent);
    }

    /// <summary>Same instant to the tick, stored in UTC.</summary>
    static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset actual)
    {
        Assert.Equal(expected.UtcTicks, actual.UtcTicks);
        Assert.Equal(TimeSpan.Zero, actual.Offset);
    }

    static void AssertStandardUuid(BsonValue value, Guid expected)
    {
        var binary = value.AsBsonBinaryData;
        Assert.Equal(BsonBinarySubType.UuidStandard, binary.SubType);
        Assert.Equal(expected, binary.ToGuid(GuidRepresentation.Standard));
    }
}
