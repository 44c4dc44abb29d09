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
/// The filters and updates of the MongoDB store rendered to the BSON the server receives, with no server: dropping
/// the version filter, the <c>$inc</c>, the outbox <c>$push</c>, a field of the state (retractions and the reopen count
/// included), the lease condition or the <c>$in</c> of the batch commit fails a test here, and so does any operator
/// outside the README's list (<see cref="ProtocolAllowList"/>).
/// </summary>
public sealed class Rendering_the_MongoDB_concurrency_protocol
{
    static readonly DateTime Now = new(2023, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Project_update_matches_only_the_expected_version_of_the_project()
    {
        var filter = Render(MongoStoreProtocol.AtVersion(TestCatalog.Hub, 3));

        Assert.Equal(new BsonDocument { { "_id", TestCatalog.Hub }, { "version", 3L } }, filter);
        Assert.Equal(BsonType.Int64, filter["version"].BsonType);
    }

    [Fact]
    public void Project_update_increments_the_version_sets_the_state_and_pushes_the_outbox_entries()
    {
        var (commit, completion) = Commit(completing: true);

        var update = Render(MongoStoreProtocol.ApplyCommit(commit)).AsBsonDocument;

        Assert.Equal(new BsonDocument("version", 1L), update["$inc"]);
        var set = update["$set"].AsBsonDocument;
        Assert.Equal(["isComplete", "completionCount", "reopenCount", "reached", "retractions", "progress", "targetsMet", "registration", "overdueNoticed", "updatedAt"], set.Names);
        Assert.False(set.Contains("version"), "the version only moves by $inc");
        Assert.True(set["isComplete"].AsBoolean);
        Assert.Equal(1, set["completionCount"].AsInt32);
        Assert.Equal(0, set["reopenCount"].AsInt32);
        Assert.Equal(commit.State.Reached.Count, set["reached"].AsBsonArray.Count);
        // Written even when empty: the whole state is set, so a document from before retractions gains the field.
        Assert.Empty(set["retractions"].AsBsonArray);
        var pushed = update["$push"]["outbox"]["$each"].AsBsonArray;
        var entry = Assert.Single(pushed).AsBsonDocument;
        Assert.Equal(completion.MessageId, entry["messageId"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(commit.Outbox[0].EnqueuedAt.UtcTicks, entry["enqueuedAt"]["Ticks"].AsInt64);
        Assert.Equal(BsonType.DateTime, update["$min"]["pendingSince"].BsonType);
    }

    [Fact]
    public void Reopening_update_sets_the_retractions_and_reopen_count_and_pushes_the_reopening_with_classic_operators_only()
    {
        var (commit, reopening) = ReopeningCommits.Commit(TestEvents.Now, 5);

        var rendered = Render(MongoStoreProtocol.ApplyCommit(commit));

        // A document of update operators, not an update pipeline (an array): wire-compatible servers without the
        // aggregation engine (FerretDB, DocumentDB, Cosmos) must be able to run every commit.
        var update = Assert.IsType<BsonDocument>(rendered);
        Assert.Equal(["$inc", "$min", "$push", "$set"], update.Names.Order(StringComparer.Ordinal));
        Assert.Equal(new BsonDocument("version", 1L), update["$inc"]);
        var set = update["$set"].AsBsonDocument;
        Assert.False(set["isComplete"].AsBoolean);
        Assert.Equal(1, set["completionCount"].AsInt32);
        Assert.Equal(1, set["reopenCount"].AsInt32);
        Assert.Equal(commit.State.Reached.Count, set["reached"].AsBsonArray.Count);
        var retractions = set["retractions"].AsBsonArray;
        Assert.Equal(commit.State.Retractions.Keys.Select(id => new BsonBinaryData(id, GuidRepresentation.Standard)),
            retractions.Select(r => r["retractedEventId"].AsBsonBinaryData));
        Assert.Equal(commit.State.Retractions.Values.Select(r => r.Reason), retractions.Select(r => r["reason"].AsString));
        var entry = Assert.Single(update["$push"]["outbox"]["$each"].AsBsonArray).AsBsonDocument;
        Assert.Equal("reopened", entry["kind"].AsString);
        Assert.Equal(reopening.MessageId, entry["messageId"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(BsonType.DateTime, update["$min"]["pendingSince"].BsonType);
    }

    [Fact]
    public void First_commit_of_a_reopened_project_inserts_its_retractions_and_reopen_count()
    {
        var (commit, _) = ReopeningCommits.Commit(TestEvents.Now, 0);

        var document = ProjectDocument.First(commit).ToBsonDocument();

        Assert.Equal(1, document["reopenCount"].AsInt32);
        Assert.Equal(commit.State.Retractions.Count, document["retractions"].AsBsonArray.Count);
        Assert.Equal("reopened", document["outbox"][0]["kind"].AsString);
    }

    [Fact]
    public void Project_update_without_outbox_entries_leaves_the_outbox_and_pending_marker_alone()
    {
        var (commit, _) = Commit(completing: false);

        var update = Render(MongoStoreProtocol.ApplyCommit(commit)).AsBsonDocument;

        Assert.Equal(["$inc", "$set"], update.Names.Order());
        Assert.Equal(new BsonDocument("version", 1L), update["$inc"]);
    }

    [Fact]
    public void First_commit_inserts_version_one_with_its_entries_pending()
    {
        var (commit, completion) = Commit(completing: true);

        var document = ProjectDocument.First(commit).ToBsonDocument();

        Assert.Equal(TestCatalog.Hub, document["_id"].AsString);
        Assert.Equal(1L, document["version"].AsInt64);
        Assert.Equal(completion.MessageId, document["outbox"][0]["messageId"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(BsonType.DateTime, document["pendingSince"].BsonType);
    }

    [Fact]
    public void Batch_reads_back_and_marks_applied_its_events_by_id_each_in_one_in()
    {
        Guid[] ids = [Guid.Parse("5f0c2a8e-3b1d-4c6f-9a7e-2d4b6c8e0f12"), Guid.Parse("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")];

        var filter = Render(MongoStoreProtocol.EventsByIds(ids));
        var update = Render(MongoStoreProtocol.MarkApplied());

        var uuids = new BsonArray(ids.Select(id => new BsonBinaryData(id, GuidRepresentation.Standard)));
        Assert.Equal(new BsonDocument("_id", new BsonDocument("$in", uuids)), filter);
        Assert.Equal(new BsonDocument("$set", new BsonDocument("applied", true)), update);
    }

    [Fact]
    public void Events_are_inserted_unapplied_under_their_ids()
    {
        var (commit, _) = Commit(completing: true);

        var document = EventDocument.From(commit.Events[0]).ToBsonDocument();

        Assert.Equal(new BsonBinaryData(commit.Events[0].EventId, GuidRepresentation.Standard), document["_id"]);
        Assert.False(document["applied"].AsBoolean);
        Assert.Equal(commit.Events[0].Fingerprint, document["fingerprint"].AsString);
    }

    [Fact]
    public void Projects_load_in_one_in_without_their_outbox()
    {
        var filter = Render(MongoStoreProtocol.ProjectsByIds([TestCatalog.Hub, TestCatalog.Park]));
        var projection = MongoStoreProtocol.WithoutOutbox.Render(Args<ProjectDocument>());

        Assert.Equal(BsonDocument.Parse($"{{ _id: {{ $in: ['{TestCatalog.Hub}', '{TestCatalog.Park}'] }} }}"), filter);
        Assert.Equal(BsonDocument.Parse("{ outbox: 0 }"), projection);
    }

    [Fact]
    public void Project_update_of_several_events_sets_the_time_of_the_latest_and_increments_the_version_once()
    {
        var events = TestEvents.Completing(TestCatalog.Hub);
        var state = ProjectState.Empty(TestCatalog.Hub);
        var records = new List<EventRecord>();
        for (var i = 0; i < 3; i++)
        {
            state = state.Apply(TestCatalog.Plan, events[i]).State;
            records.Add(EventRecord.From(events[i], TestEvents.Now.AddTicks(i)));
        }
        var commit = new ProjectCommit(records, 4, state, []);

        var update = Render(MongoStoreProtocol.ApplyCommit(commit)).AsBsonDocument;

        Assert.Equal(new BsonDocument("version", 1L), update["$inc"]);
        Assert.Equal(TestEvents.Now.AddTicks(2).UtcTicks, update["$set"]["updatedAt"]["Ticks"].AsInt64);
        Assert.Equal(3, update["$set"]["reached"].AsBsonArray.Count);
    }

    [Fact]
    public void Only_duplicate_key_errors_of_the_event_insert_read_as_already_recorded()
    {
        Assert.Equal([0, 3], MongoStoreProtocol.DuplicatesOnly([(3, ServerErrorCategory.DuplicateKey), (0, ServerErrorCategory.DuplicateKey)], false, 0)!.Order());
        Assert.Empty(MongoStoreProtocol.DuplicatesOnly([], false, 0)!);
        // Anything else fails the batch: the redelivery then finds what was inserted.
        Assert.Null(MongoStoreProtocol.DuplicatesOnly([(1, ServerErrorCategory.DuplicateKey), (2, ServerErrorCategory.Uncategorized)], false, 0));
        Assert.Null(MongoStoreProtocol.DuplicatesOnly([(2, ServerErrorCategory.ExecutionTimeout)], false, 0));
        Assert.Null(MongoStoreProtocol.DuplicatesOnly([(1, ServerErrorCategory.DuplicateKey)], writeConcernFailed: true, 0));
        Assert.Null(MongoStoreProtocol.DuplicatesOnly([(1, ServerErrorCategory.DuplicateKey)], false, unprocessed: 2));
    }

    [Fact]
    public void Timeline_shows_only_applied_events_of_the_project_in_occurrence_then_recording_then_id_order()
    {
        var filter = Render(MongoStoreProtocol.Timeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 50)));
        var oldest = MongoStoreProtocol.TimelineSort(TimelineOrder.OldestFirst).Render(Args<EventDocument>());
        var newest = MongoStoreProtocol.TimelineSort(TimelineOrder.NewestFirst).Render(Args<EventDocument>());

        Assert.Equal(new BsonDocument { { "projectId", TestCatalog.Hub }, { "applied", true } }, filter);
        Assert.Equal(new BsonDocument { { "occurredAt.Ticks", 1 }, { "recordedAt.Ticks", 1 }, { "_id", 1 } }, oldest);
        Assert.Equal(new BsonDocument { { "occurredAt.Ticks", -1 }, { "recordedAt.Ticks", -1 }, { "_id", -1 } }, newest);
    }

    [Theory]
    [InlineData(TimelineOrder.OldestFirst, "$gte", "$gt")]
    [InlineData(TimelineOrder.NewestFirst, "$lte", "$lt")]
    public void A_page_after_a_position_starts_beyond_its_keyset_with_classic_operators(TimelineOrder order, string bound, string beyond)
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var filter = Render(MongoStoreProtocol.Timeline(TestCatalog.Hub, new TimelineQuery(order, 50, new TimelinePosition(600, 700, id))));

        var uuid = new BsonBinaryData(id, GuidRepresentation.Standard);
        var expected = new BsonDocument
        {
            { "projectId", TestCatalog.Hub },
            { "applied", true },
            { "occurredAt.Ticks", new BsonDocument(bound, 600L) },
            {
                "$or", new BsonArray
                {
                    new BsonDocument("occurredAt.Ticks", new BsonDocument(beyond, 600L)),
                    new BsonDocument { { "occurredAt.Ticks", 600L }, { "recordedAt.Ticks", new BsonDocument(beyond, 700L) } },
                    new BsonDocument { { "occurredAt.Ticks", 600L }, { "recordedAt.Ticks", 700L }, { "_id", new BsonDocument(beyond, uuid) } },
                }
            },
        };
        Assert.Equal(expected, filter);
        ProtocolAllowList.AssertFilter(filter);
    }

    [Fact]
    public void Claim_takes_only_pending_projects_whose_lease_is_free_expired_or_its_own()
    {
        var filter = Render(MongoStoreProtocol.Claimable("replica-a", Now, ["already-taken"]));

        var expected = new BsonDocument
        {
            { "pendingSince", new BsonDocument("$exists", true) },
            { "outbox.0", new BsonDocument("$exists", true) },
            { "_id", new BsonDocument("$nin", new BsonArray { "already-taken" }) },
            {
                "$or", new BsonArray
                {
                    new BsonDocument("leaseUntil", new BsonDocument("$exists", false)),
                    new BsonDocument("leaseUntil", new BsonDocument("$lt", Now)),
                    new BsonDocument("leaseOwner", "replica-a"),
                }
            },
        };
        Assert.Equal(expected, filter);
    }

    [Fact]
    public void Claim_sets_the_lease_and_nothing_else_oldest_pending_first()
    {
        var until = Now.AddSeconds(30);

        var update = Render(MongoStoreProtocol.Lease("replica-a", until));
        var sort = MongoStoreProtocol.OldestPendingFirst.Render(Args<ProjectDocument>());

        Assert.Equal(new BsonDocument("$set", new BsonDocument { { "leaseOwner", "replica-a" }, { "leaseUntil", until } }), update);
        Assert.Equal(new BsonDocument("pendingSince", 1), sort);
    }

    [Fact]
    public void Mark_sent_pulls_the_entries_by_message_id_then_clears_the_marker_and_lease_of_projects_left_empty()
    {
        Guid[] ids = [Guid.Parse("11111111-2222-8333-8444-555555555555"), Guid.Parse("66666666-7777-8888-9999-000000000000")];
        var uuids = new BsonArray(ids.Select(id => new BsonBinaryData(id, GuidRepresentation.Standard)));

        var filter = Render(MongoStoreProtocol.Holding(ids));
        var pull = Render(MongoStoreProtocol.RemoveSent(ids));
        var emptied = Render(MongoStoreProtocol.PendingMarkerOutlived);
        var clear = Render(MongoStoreProtocol.ClearPendingMarker);

        Assert.Equal(new BsonDocument("outbox", new BsonDocument("$elemMatch", new BsonDocument("messageId", new BsonDocument("$in", uuids)))), filter);
        Assert.Equal(new BsonDocument("$pull", new BsonDocument("outbox", new BsonDocument("messageId", new BsonDocument("$in", uuids)))), pull);
        Assert.Equal(BsonDocument.Parse("{ pendingSince: { $exists: true }, 'outbox.0': { $exists: false } }"), emptied);
        Assert.Equal(BsonDocument.Parse("{ $unset: { pendingSince: 1, leaseOwner: 1, leaseUntil: 1 } }"), clear);
    }

    [Fact]
    public void Backlog_reads_only_the_enqueue_times_of_pending_projects_and_counts_them_on_the_client()
    {
        var filter = Render(MongoStoreProtocol.HasPendingEntries);
        var projection = MongoStoreProtocol.EnqueueTimesOnly.Render(new RenderArgs<ProjectDocument>(Serializer<ProjectDocument>(), BsonSerializer.SerializerRegistry));

        Assert.Equal(BsonDocument.Parse("{ pendingSince: { $exists: true }, 'outbox.0': { $exists: true } }"), filter);
        Assert.Equal(BsonDocument.Parse("{ 'outbox.enqueuedAt': 1, _id: 0 }"), projection);
    }

    [Fact]
    public void Backlog_of_stored_documents_is_their_entry_count_and_the_exact_oldest_enqueue_time()
    {
        var (commit, _) = Commit(completing: true);
        var first = ProjectDocument.First(commit with { ExpectedVersion = 0 }).ToBsonDocument();
        var later = commit.Outbox[0] with { MessageId = Guid.NewGuid(), EnqueuedAt = commit.Outbox[0].EnqueuedAt.AddTicks(1) };
        var second = ProjectDocument.First(commit with { ExpectedVersion = 0, Outbox = [later] }).ToBsonDocument();
        // What the projection returns: the outbox's enqueue times only.
        static BsonDocument Projected(BsonDocument d) => new("outbox", new BsonArray(d["outbox"].AsBsonArray.Select(e => new BsonDocument("enqueuedAt", e["enqueuedAt"]))));

        var backlog = MongoStoreProtocol.BacklogOf([Projected(second), Projected(first), new BsonDocument()]);

        Assert.Equal(2, backlog.Count);
        Assert.Equal(commit.Outbox[0].EnqueuedAt.UtcTicks, backlog.OldestEnqueuedAt!.Value.UtcTicks);
        Assert.Equal(new OutboxBacklog(0, null), MongoStoreProtocol.BacklogOf([]));
    }

    [Fact]
    public void Pending_index_is_a_plain_single_field_index()
    {
        var model = MongoStoreProtocol.PendingIndex;
        var options = (CreateIndexOptions<ProjectDocument>)model.Options;

        Assert.Equal(new BsonDocument("pendingSince", 1), model.Keys.Render(Args<ProjectDocument>()));
        Assert.Null(options.PartialFilterExpression);
        Assert.Equal("outbox_pending_since", options.Name);
    }

    /// <summary>
    /// The portability rule: every filter, update, projection, sort and index the store sends uses only the operators
    /// the README lists, and never an update pipeline, an aggregation, a partial, sparse, TTL or collated index (which
    /// MongoDB-compatible servers such as FerretDB, DocumentDB and Cosmos DB do not all support). The batch commit's own
    /// commands are checked the same way by <see cref="The_MongoDB_batch_commit_sequence"/>.
    /// </summary>
    [Fact]
    public void Every_update_uses_classic_operators_only()
    {
        var (commit, _) = Commit(completing: true);
        var (quiet, _) = Commit(completing: false);
        var (reopening, _) = ReopeningCommits.Commit(TestEvents.Now, 5);
        UpdateDefinition<ProjectDocument>[] updates =
        [
            MongoStoreProtocol.ApplyCommit(commit),
            MongoStoreProtocol.ApplyCommit(quiet),
            MongoStoreProtocol.ApplyCommit(reopening),
            MongoStoreProtocol.Lease("replica-a", Now),
            MongoStoreProtocol.RemoveSent([Guid.NewGuid()]),
            MongoStoreProtocol.ClearPendingMarker,
        ];

        foreach (var update in updates)
        {
            ProtocolAllowList.AssertUpdate(Render(update));
        }
        ProtocolAllowList.AssertUpdate(MongoStoreProtocol.MarkApplied().Render(Args<EventDocument>()));
        Assert.Equal(BsonDocument.Parse("{ $set: { applied: true } }"), MongoStoreProtocol.MarkApplied().Render(Args<EventDocument>()));
    }

    [Fact]
    public void Every_filter_uses_the_documented_query_operators_only()
    {
        Guid[] ids = [Guid.NewGuid(), Guid.NewGuid()];
        BsonDocument[] filters =
        [
            Render(MongoStoreProtocol.AtVersion(TestCatalog.Hub, 7)),
            Render(MongoStoreProtocol.ProjectsByIds([TestCatalog.Hub, TestCatalog.School])),
            Render(MongoStoreProtocol.EventsByIds(ids)),
            Render(MongoStoreProtocol.Timeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 50))),
            Render(MongoStoreProtocol.Timeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.NewestFirst, 50, new TimelinePosition(1, 2, Guid.NewGuid())))),
            Render(MongoStoreProtocol.Claimable("replica-a", Now, ["taken"])),
            Render(MongoStoreProtocol.HasPendingEntries),
            Render(MongoStoreProtocol.Holding(ids)),
            Render(MongoStoreProtocol.PendingMarkerOutlived),
        ];

        Assert.All(filters, ProtocolAllowList.AssertFilter);
    }

    [Fact]
    public void Every_projection_sort_and_index_is_plain_fields()
    {
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.WithoutOutbox.Render(Args<ProjectDocument>()));
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.EnqueueTimesOnly.Render(Args<ProjectDocument>()));
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.TimelineSort(TimelineOrder.OldestFirst).Render(Args<EventDocument>()));
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.TimelineSort(TimelineOrder.NewestFirst).Render(Args<EventDocument>()));
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.OldestPendingFirst.Render(Args<ProjectDocument>()));
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.TimelineIndex.Keys.Render(Args<EventDocument>()));
        ProtocolAllowList.AssertPlainFields(MongoStoreProtocol.PendingIndex.Keys.Render(Args<ProjectDocument>()));

        // Plain secondary indexes: not unique (uniqueness comes from the _id indexes), not partial, sparse, TTL or collated.
        var timeline = MongoStoreProtocol.TimelineIndex.Options;
        var pending = (CreateIndexOptions<ProjectDocument>)MongoStoreProtocol.PendingIndex.Options;
        foreach (var options in new CreateIndexOptions[] { timeline, pending })
        {
            Assert.NotNull(options.Name);
            Assert.Null(options.Unique);
            Assert.Null(options.Sparse);
            Assert.Null(options.ExpireAfter);
            Assert.Null(options.Collation);
        }
        Assert.Null(pending.PartialFilterExpression);
        Assert.Null((timeline as CreateIndexOptions<EventDocument>)?.PartialFilterExpression);
    }

    [Fact]
    public void Timeline_index_gives_the_whole_timeline_sort_both_ways()
    {
        var keys = MongoStoreProtocol.TimelineIndex.Keys.Render(Args<EventDocument>());

        Assert.Equal(BsonDocument.Parse("{ projectId: 1, 'occurredAt.Ticks': 1, 'recordedAt.Ticks': 1, _id: 1 }"), keys);
        Assert.Equal("timeline_keyset", MongoStoreProtocol.TimelineIndex.Options.Name);
    }

    static (ProjectCommit Commit, ProjectCompletion Completion) Commit(bool completing)
    {
        var events = TestEvents.Completing(TestCatalog.Hub);
        var state = ProjectState.Empty(TestCatalog.Hub);
        ProjectDecision outcome = null!;
        foreach (var e in completing ? events : events.SkipLast(1))
        {
            outcome = state.Apply(TestCatalog.Plan, e);
            state = outcome.State;
        }
        var now = TestEvents.Now;
        var last = completing ? events[^1] : events[^2];
        var outbox = outcome.Completion is { } c ? [OutboxEntry.For(c, now)] : Array.Empty<OutboxEntry>();
        return (ProjectCommit.Of(EventRecord.From(last, now), 3, state, outbox), outcome.Completion!);
    }

    static IBsonSerializer<T> Serializer<T>() => BsonSerializer.LookupSerializer<T>();

    static RenderArgs<T> Args<T>() => new(Serializer<T>(), BsonSerializer.SerializerRegistry);

    static BsonDocument Render<T>(FilterDefinition<T> filter) => filter.Render(Args<T>());

    static BsonValue Render<T>(UpdateDefinition<T> update) => update.Render(Args<T>());
}
