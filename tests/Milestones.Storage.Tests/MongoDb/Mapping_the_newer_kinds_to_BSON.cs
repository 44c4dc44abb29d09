using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB;
using Milestones.Storage.MongoDB.Documents;
using Milestones.Storage.Tests.TestData;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// What came with progress reports, registrations and overdue findings, written to BSON and read back with no server:
/// every event kind, every new part of a state, every new announcement kind; decimals as exact text; the registered
/// entry as a JSON string; documents written before these fields still read; the commit's update sets the new state
/// fields with classic operators only.
/// </summary>
public sealed class Mapping_the_newer_kinds_to_BSON
{
    static readonly DateTimeOffset Now = new DateTimeOffset(2023, 6, 1, 10, 15, 30, TimeSpan.FromHours(8)).AddTicks(9_999_999);

    static TestHistory.Recorded History { get; } = TestHistory.Build(Now);

    [Fact]
    public void Every_kind_of_event_document_round_trips_with_its_kind_value_entry_and_due_date()
    {
        foreach (var record in History.Events)
        {
            var bson = EventDocument.From(record).ToBsonDocument();
            var back = BsonSerializer.Deserialize<EventDocument>(bson).ToRecord();

            Assert.Equal(record, back);
            Assert.Equal(record.Kind, back.Kind);
            Assert.Equal(EventKinds.Code(record.Kind), bson["kind"].AsString);
            if (record.Progress is { } progress)
            {
                // The value as text, exact to the digit and the scale.
                Assert.Equal(BsonType.String, bson["progress"]["value"].BsonType);
                Assert.Equal(progress.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), bson["progress"]["value"].AsString);
                Assert.Equal(progress.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), back.Progress!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                Assert.False(bson.Contains("progress"));
            }
            Assert.Equal(record.Detail is null, !bson.Contains("detail"));
            Assert.Equal(record.Revision is null, !bson.Contains("revision"));
        }
        var registration = History.Events.Single(e => e.Kind == EventKind.Registration);
        var registrationBack = BsonSerializer.Deserialize<EventDocument>(EventDocument.From(registration).ToBsonDocument()).ToRecord();
        Assert.Equal(TestHistory.Canonical(TestHistory.Entry), TestHistory.Canonical(registrationBack.RegisteredEntry()));
        Assert.Equal(2, registrationBack.Revision);
        Assert.Contains(History.Events, e => e.Progress?.Value == TestHistory.Exact);
    }

    [Fact]
    public void Project_document_round_trips_progress_targets_met_the_registration_and_overdue_findings()
    {
        var commit = new ProjectCommit(History.Events, 0, History.State, History.Outbox);

        var bson = ProjectDocument.First(commit).ToBsonDocument();
        var back = BsonSerializer.Deserialize<ProjectDocument>(bson).ToSnapshot().State;

        Assert.Equal(History.State, back);
        Assert.Equal(TestHistory.Canonical(History.State), TestHistory.Canonical(back));
        var reading = Assert.Single(bson["progress"].AsBsonArray).AsBsonDocument;
        Assert.Equal("300.1000000000000000000000001", reading["value"].AsString);
        Assert.Equal(TestHistory.Exact, back.Progress[TestHistory.Metric].Value);
        Assert.Equal(new BsonDocument { { "metric", TestHistory.Metric }, { "timesMet", 2 }, { "isMet", true } }, Assert.Single(bson["targetsMet"].AsBsonArray));
        Assert.Equal(new BsonArray { "completed/2023-03-31" }, bson["overdueNoticed"]);
        var registration = bson["registration"].AsBsonDocument;
        Assert.Equal(["eventId", "revision", "registeredBy", "registeredAt", "entry"], registration.Names);
        Assert.Equal(BsonType.String, registration["entry"].BsonType);
        Assert.Equal(2, registration["revision"].AsInt32);
        Assert.Equal(TestHistory.Registrar, back.Registration!.RegisteredBy);
        Assert.Equal(TestHistory.Registration.RegisteredAt.UtcTicks, back.Registration.RegisteredAt.UtcTicks);
        Assert.Equal(TestHistory.Canonical(TestHistory.Entry), TestHistory.Canonical(back.Registration.Definition));
        // The document holds no field name a server could take for an operator.
        Assert.Empty(ProtocolAllowList.OperatorsIn(bson));
    }

    [Fact]
    public void Every_kind_of_outbox_entry_round_trips_in_the_flat_shape_with_its_kind()
    {
        Assert.Equal(12, History.Outbox.Count);
        foreach (var entry in History.Outbox)
        {
            var bson = OutboxEntryDocument.From(entry).ToBsonDocument();
            var back = BsonSerializer.Deserialize<OutboxEntryDocument>(bson).ToDomain(TestHistory.Project);

            Assert.Equal(entry.MessageId, back.MessageId);
            Assert.Equal(entry.EnqueuedAt.UtcTicks, back.EnqueuedAt.UtcTicks);
            Assert.Equal(entry.TraceParent, back.TraceParent);
            Assert.Equal(entry.Message.GetType(), back.Message.GetType());
            Assert.Equal(entry.Message.MessageId, back.Message.MessageId);
            Assert.Equal(entry.Message switch
            {
                ProjectCompletion => "completed",
                ProjectReopening => "reopened",
                TargetAchievement => "target-met",
                OverdueNotice => "overdue",
                _ => "recorded",
            }, bson["kind"].AsString);
            if (entry.Message is EventRecordedNotice notice)
            {
                var backNotice = (EventRecordedNotice)back.Message;
                Assert.Equal(notice.Event, backNotice.Event);
                Assert.Equal((notice.Changed, notice.ProjectComplete), (backNotice.Changed, backNotice.ProjectComplete));
            }
            else
            {
                Assert.Equal(TestHistory.Canonical(entry.Message), TestHistory.Canonical(back.Message));
            }
            Assert.Empty(ProtocolAllowList.OperatorsIn(bson));
        }

        var reopening = OutboxEntryDocument.From(History.Outbox.Single(e => e.Message is ProjectReopening)).ToBsonDocument();
        Assert.Equal("progress", reopening["cause"].AsString);
        Assert.False(reopening.Contains("retraction"));
        Assert.Equal(new BsonArray { TestHistory.Metric }, reopening["unmetTargets"]);
        var achievement = OutboxEntryDocument.From(History.Outbox.First(e => e.Message is TargetAchievement)).ToBsonDocument();
        Assert.Equal("300", achievement["target"].AsString);
        Assert.Equal(BsonType.String, achievement["reading"]["value"].BsonType);
        var overdue = OutboxEntryDocument.From(History.Outbox.Single(e => e.Message is OverdueNotice)).ToBsonDocument();
        Assert.Equal("2023-03-31", overdue["due"].AsString);
        Assert.Equal(30, overdue["daysLate"].AsInt32);
        var completion = OutboxEntryDocument.From(History.Outbox.First(e => e.Message is ProjectCompletion)).ToBsonDocument();
        Assert.Equal("300.1000000000000000000000001", completion["targets"][0]["reading"]["value"].AsString);
    }

    [Fact]
    public void Documents_written_before_these_fields_read_with_none_of_them()
    {
        var (commit, reopening) = ReopeningCommits.Commit(Now, 0);
        var bson = ProjectDocument.First(commit).ToBsonDocument();
        foreach (var later in new[] { "progress", "targetsMet", "registration", "overdueNoticed" })
        {
            bson.Remove(later);
        }
        var entry = bson["outbox"][0].AsBsonDocument;
        foreach (var later in new[] { "cause", "triggeringEventId", "triggeredBy", "reason", "unmetTargets" })
        {
            entry.Remove(later);
        }
        var retractionEvent = EventDocument.From(commit.Events[0]).ToBsonDocument();
        retractionEvent.Remove("kind");
        var report = EventDocument.From(EventRecord.From(TestEvents.Reached(TestCatalog.Hub, "opened", 3), Now)).ToBsonDocument();
        report.Remove("kind");

        var back = BsonSerializer.Deserialize<ProjectDocument>(bson);
        var state = back.ToSnapshot().State;
        var reopened = Assert.IsType<ProjectReopening>(Assert.Single(back.Outbox).ToDomain(back.Id).Message);

        Assert.Equal(commit.State, state);
        Assert.Empty(state.Progress);
        Assert.Empty(state.TargetsMet);
        Assert.Null(state.Registration);
        Assert.Empty(state.OverdueNoticed);
        Assert.Equal(ReopenCause.Retraction, reopened.Cause);
        Assert.Equal(reopening.Retraction, reopened.Retraction);
        Assert.Equal(reopening.Retraction!.RetractionEventId, reopened.TriggeringEventId);
        Assert.Equal(EventKind.Retraction, BsonSerializer.Deserialize<EventDocument>(retractionEvent).ToRecord().Kind);
        Assert.Equal(EventKind.Report, BsonSerializer.Deserialize<EventDocument>(report).ToRecord().Kind);
    }

    [Fact]
    public void A_reopening_of_unknown_cause_or_a_retractions_reopening_without_its_retraction_is_refused()
    {
        var entry = OutboxEntryDocument.From(History.Outbox.Single(e => e.Message is ProjectReopening)).ToBsonDocument();
        entry["cause"] = "written-by-a-newer-version";
        Assert.Contains("unknown cause", Assert.Throws<InvalidOperationException>(() => BsonSerializer.Deserialize<OutboxEntryDocument>(entry).ToDomain(TestHistory.Project)).Message, StringComparison.Ordinal);
        entry["cause"] = "retraction";
        Assert.Contains("'retraction'", Assert.Throws<InvalidOperationException>(() => BsonSerializer.Deserialize<OutboxEntryDocument>(entry).ToDomain(TestHistory.Project)).Message, StringComparison.Ordinal);

        var achievement = OutboxEntryDocument.From(History.Outbox.First(e => e.Message is TargetAchievement)).ToBsonDocument();
        achievement.Remove("reading");
        Assert.Contains("'reading'", Assert.Throws<InvalidOperationException>(() => BsonSerializer.Deserialize<OutboxEntryDocument>(achievement).ToDomain(TestHistory.Project)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_commit_and_the_repair_set_the_new_state_fields_with_classic_operators_only()
    {
        var commit = new ProjectCommit([History.Events[^1]], 5, History.State, History.Outbox.TakeLast(2).ToList());

        var update = Render(MongoStoreProtocol.ApplyCommit(commit)).AsBsonDocument;
        var repair = Render(MongoMaintenanceProtocol.ReplaceState(History.State, Now)).AsBsonDocument;

        foreach (var rendered in new[] { update, repair })
        {
            ProtocolAllowList.AssertUpdate(rendered);
            var set = rendered["$set"].AsBsonDocument;
            Assert.Equal("300.1000000000000000000000001", set["progress"][0]["value"].AsString);
            Assert.Equal(2, set["targetsMet"][0]["timesMet"].AsInt32);
            Assert.Equal(BsonType.String, set["registration"]["entry"].BsonType);
            Assert.Equal(new BsonArray { "completed/2023-03-31" }, set["overdueNoticed"]);
        }
        var pushed = update["$push"]["outbox"]["$each"].AsBsonArray;
        Assert.Equal(["overdue", "recorded"], pushed.Select(e => e["kind"].AsString));

        // A state without them sets them empty (and no registration), so a repeated commit writes the same state.
        var empty = Render(MongoStoreProtocol.ApplyCommit(ProjectCommit.Of(History.Events[0], 1, ProjectState.Empty(TestHistory.Project)))).AsBsonDocument["$set"].AsBsonDocument;
        Assert.Empty(empty["progress"].AsBsonArray);
        Assert.Empty(empty["targetsMet"].AsBsonArray);
        Assert.Equal(BsonNull.Value, empty["registration"]);
        Assert.Empty(empty["overdueNoticed"].AsBsonArray);
    }

    static RenderArgs<T> Args<T>() => new(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry);

    static BsonValue Render<T>(UpdateDefinition<T> update) => update.Render(Args<T>());
}
