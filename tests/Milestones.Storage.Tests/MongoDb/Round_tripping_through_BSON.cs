using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using Milestones.Storage.Tests.TestData;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// Every stored type written to BSON and read back, with no server: instants keep their exact ticks (the domain
/// compares UtcTicks), ids are standard UUIDs, optional fields are omitted rather than stored as null, and documents
/// written by the version before retractions still read.
/// </summary>
public sealed class Round_tripping_through_BSON
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
        // A report keeps the shape it had before retractions existed.
        Assert.False(bson.Contains("retractedEventId"));
        Assert.False(back.ToRecord().IsRetraction);
    }

    [Fact]
    public void Retraction_event_document_round_trips_with_the_id_of_the_report_it_withdraws()
    {
        var (commit, reopening) = ReopeningCommits.Commit(RecordedAt, 0);
        var record = Assert.Single(commit.Events);

        var bson = EventDocument.From(record).ToBsonDocument();
        var back = BsonSerializer.Deserialize<EventDocument>(bson).ToRecord();

        Assert.Equal(record, back);
        Assert.True(back.IsRetraction);
        Assert.Equal(reopening.Retraction!.RetractedEventId, back.RetractedEventId);
        AssertStandardUuid(bson["retractedEventId"], reopening.Retraction!.RetractedEventId);
        AssertStandardUuid(bson["_id"], reopening.Retraction!.RetractionEventId);
        Assert.Equal(reopening.Retraction!.Reason, bson["note"].AsString);
        Assert.Equal(ReopeningCommits.RetractedAt.UtcTicks, bson["occurredAt"]["Ticks"].AsInt64);
        AssertSameInstant(ReopeningCommits.RetractedAt, back.OccurredAt);
        Assert.False(bson.Contains("evidenceUrl"));
    }

    [Fact]
    public void Retraction_of_a_report_not_recorded_yet_keeps_its_empty_milestone_code()
    {
        var retraction = new Retraction
        {
            EventId = Guid.NewGuid(),
            ProjectId = TestCatalog.Hub,
            RetractedEventId = Guid.NewGuid(),
            Reason = "报错项目",
            RetractedAt = ReopeningCommits.RetractedAt,
            SourceSystem = "contractor-portal",
        };
        var record = EventRecord.From(retraction, string.Empty, RecordedAt);

        var bson = EventDocument.From(record).ToBsonDocument();
        var back = BsonSerializer.Deserialize<EventDocument>(bson).ToRecord();

        // Stored as "", not omitted: milestoneCode is a required field of every event document.
        Assert.Equal(string.Empty, bson["milestoneCode"].AsString);
        Assert.Equal(record, back);
        Assert.Equal(retraction.RetractedEventId, back.RetractedEventId);
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
    public void Project_document_round_trips_retractions_the_reopen_count_and_a_pending_reopening()
    {
        var (commit, reopening) = ReopeningCommits.Commit(RecordedAt, 0);
        Assert.Equal(2, commit.State.Retractions.Count);
        Assert.Equal(1, commit.State.ReopenCount);

        var bson = ProjectDocument.First(commit).ToBsonDocument();
        var back = BsonSerializer.Deserialize<ProjectDocument>(bson);

        var state = back.ToSnapshot().State;
        // ProjectState's equality compares every retraction and the reopen count.
        Assert.Equal(commit.State, state);
        Assert.False(state.IsComplete);
        Assert.Equal(1, state.CompletionCount);
        Assert.Equal(1, state.ReopenCount);
        Assert.DoesNotContain(reopening.MissingMilestones.Single(), state.Reached.Keys);
        Assert.True(state.IsWithdrawn(reopening.Retraction!.RetractedEventId, reopening.Retraction!.RetractedBy));
        foreach (var (id, retraction) in commit.State.Retractions)
        {
            AssertSameInstant(retraction.RetractedAt, state.Retractions[id].RetractedAt);
        }

        Assert.Equal(1, bson["reopenCount"].AsInt32);
        var stored = bson["retractions"].AsBsonArray;
        Assert.Equal(2, stored.Count);
        var byOffice = stored.Single(r => r["byDistrictOffice"].AsBoolean).AsBsonDocument;
        Assert.Equal("district-office", byOffice["retractedBy"].AsString);
        var reopener = stored.Single(r => !r["byDistrictOffice"].AsBoolean).AsBsonDocument;
        Assert.Equal(["retractionEventId", "retractedEventId", "retractedBy", "byDistrictOffice", "reason", "retractedAt"], reopener.Names);
        AssertStandardUuid(reopener["retractionEventId"], reopening.Retraction!.RetractionEventId);
        AssertStandardUuid(reopener["retractedEventId"], reopening.Retraction!.RetractedEventId);
        Assert.Equal(ReopeningCommits.RetractedAt.UtcTicks, reopener["retractedAt"]["Ticks"].AsInt64);

        var entry = Assert.Single(back.Outbox).ToDomain(back.Id);
        AssertSameEntry(commit.Outbox[0], entry);
        Assert.Equal(BsonType.DateTime, bson["pendingSince"].BsonType);
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
        var commit = ProjectCommit.Of(EventRecord.From(e, RecordedAt), 0, ProjectState.Empty(TestCatalog.Hub).Apply(TestCatalog.Plan, e).State);

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

        var bson = OutboxEntryDocument.From(entry).ToBsonDocument();
        var back = BsonSerializer.Deserialize<OutboxEntryDocument>(bson).ToDomain(entry.ProjectId);

        AssertSameEntry(entry, back);
        Assert.Equal("completed", bson["kind"].AsString);
        Assert.Equal(["messageId", "enqueuedAt", "kind", "completionNumber", "completedAt", "milestones", "triggeringEventId", "traceParent"], bson.Names);
    }

    [Fact]
    public void Outbox_entry_document_round_trips_the_reopening_without_completion_fields()
    {
        var (commit, reopening) = ReopeningCommits.Commit(RecordedAt, 0);
        var entry = commit.Outbox[0];

        var bson = OutboxEntryDocument.From(entry).ToBsonDocument();
        var back = BsonSerializer.Deserialize<OutboxEntryDocument>(bson).ToDomain(entry.ProjectId);

        AssertSameEntry(entry, back);
        Assert.Equal(reopening.MessageId, back.MessageId);
        Assert.Equal(["messageId", "enqueuedAt", "kind", "triggeringEventId", "reopenNumber", "missingMilestones", "retraction", "cause", "triggeredBy", "reason", "unmetTargets", "traceParent"],
            bson.Names);
        Assert.Equal("retraction", bson["cause"].AsString);
        AssertStandardUuid(bson["triggeringEventId"], reopening.Retraction!.RetractionEventId);
        Assert.Equal("reopened", bson["kind"].AsString);
        Assert.Equal(1, bson["reopenNumber"].AsInt32);
        Assert.Equal(new BsonArray(reopening.MissingMilestones), bson["missingMilestones"]);
        AssertStandardUuid(bson["retraction"]["retractedEventId"], reopening.Retraction!.RetractedEventId);
        Assert.Equal(reopening.Retraction!.Reason, bson["retraction"]["reason"].AsString);
    }

    [Fact]
    public void Outbox_entry_of_an_unknown_kind_or_missing_a_field_of_its_kind_is_refused_rather_than_published_wrong()
    {
        var (completing, _) = CompletingCommit();
        var (reopening, _) = ReopeningCommits.Commit(RecordedAt, 0);
        var unknown = OutboxEntryDocument.From(completing.Outbox[0]).ToBsonDocument();
        unknown["kind"] = "paused";
        var incomplete = OutboxEntryDocument.From(reopening.Outbox[0]).ToBsonDocument();
        incomplete.Remove("retraction");

        var unknownError = Assert.Throws<InvalidOperationException>(() => BsonSerializer.Deserialize<OutboxEntryDocument>(unknown).ToDomain(TestCatalog.Hub));
        var missingError = Assert.Throws<InvalidOperationException>(() => BsonSerializer.Deserialize<OutboxEntryDocument>(incomplete).ToDomain(TestCatalog.Hub));

        Assert.Contains("'paused'", unknownError.Message, StringComparison.Ordinal);
        Assert.Contains("'retraction'", missingError.Message, StringComparison.Ordinal);
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
        var eventBson = EventDocument.From(commit.Events[0]).ToBsonDocument();
        eventBson["addedLater"] = true;

        Assert.Equal(commit.State, BsonSerializer.Deserialize<ProjectDocument>(bson).ToSnapshot().State);
        Assert.Equal(commit.Events[0], BsonSerializer.Deserialize<EventDocument>(eventBson).ToRecord());
    }

    [Fact]
    public void Documents_written_before_retractions_still_read_with_no_retraction_no_reopening_and_a_completion()
    {
        var (commit, completion) = CompletingCommit();
        // The previous version's shape: no reopenCount, no retractions, outbox entries without a kind.
        var bson = ProjectDocument.First(commit).ToBsonDocument();
        bson.Remove("reopenCount");
        bson.Remove("retractions");
        foreach (var later in new[] { "progress", "targetsMet", "registration", "overdueNoticed" })
        {
            bson.Remove(later);
        }
        bson["outbox"][0].AsBsonDocument.Remove("kind");
        Assert.Equal(["_id", "version", "isComplete", "completionCount", "reached", "updatedAt", "outbox", "pendingSince"], bson.Names);
        Assert.Equal(["messageId", "enqueuedAt", "completionNumber", "completedAt", "milestones", "triggeringEventId", "traceParent"], bson["outbox"][0].AsBsonDocument.Names);

        var back = BsonSerializer.Deserialize<ProjectDocument>(bson);
        var state = back.ToSnapshot().State;

        Assert.Equal(0, back.ReopenCount);
        Assert.Empty(back.Retractions);
        Assert.Equal(commit.State, state);
        Assert.Equal(0, state.ReopenCount);
        Assert.Empty(state.Retractions);
        var entry = Assert.Single(back.Outbox).ToDomain(back.Id);
        Assert.Null(back.Outbox[0].Kind);
        Assert.IsType<ProjectCompletion>(entry.Message);
        Assert.Equal(completion.MessageId, entry.MessageId);
        AssertSameEntry(commit.Outbox[0], entry);
    }

    static (ProjectCommit Commit, ProjectCompletion Completion) CompletingCommit()
    {
        var state = ProjectState.Empty(TestCatalog.Hub);
        ProjectDecision? outcome = null;
        MilestoneEvent? last = null;
        foreach (var e in TestEvents.Completing(TestCatalog.Hub))
        {
            outcome = state.Apply(TestCatalog.Plan, e);
            state = outcome.State;
            last = e;
        }
        var completion = outcome!.Completion!;
        var entry = OutboxEntry.For(completion, RecordedAt.AddTicks(1)) with { TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
        var commit = ProjectCommit.Of(EventRecord.From(last!, RecordedAt), 0, state, [entry]);
        return (commit, completion);
    }

    static void AssertSameEntry(OutboxEntry expected, OutboxEntry actual)
    {
        Assert.Equal(expected.MessageId, actual.MessageId);
        Assert.Equal(expected.ProjectId, actual.ProjectId);
        AssertSameInstant(expected.EnqueuedAt, actual.EnqueuedAt);
        Assert.Equal(expected.Message.ProjectId, actual.Message.ProjectId);
        Assert.Equal(expected.Message.MessageId, actual.Message.MessageId);
        Assert.Equal(expected.TraceParent, actual.TraceParent);
        if (expected.Message is ProjectCompletion completion)
        {
            var back = Assert.IsType<ProjectCompletion>(actual.Message);
            Assert.Equal(completion.CompletionNumber, back.CompletionNumber);
            AssertSameInstant(completion.CompletedAt, back.CompletedAt);
            Assert.Equal(completion.TriggeringEventId, back.TriggeringEventId);
            Assert.Equal(completion.Milestones, back.Milestones);
        }
        else
        {
            var reopening = Assert.IsType<ProjectReopening>(expected.Message);
            var back = Assert.IsType<ProjectReopening>(actual.Message);
            Assert.Equal(reopening.ReopenNumber, back.ReopenNumber);
            Assert.Equal(reopening.MissingMilestones, back.MissingMilestones);
            Assert.Equal(reopening.Retraction, back.Retraction);
            AssertSameInstant(reopening.Retraction!.RetractedAt, back.Retraction!.RetractedAt);
        }
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
