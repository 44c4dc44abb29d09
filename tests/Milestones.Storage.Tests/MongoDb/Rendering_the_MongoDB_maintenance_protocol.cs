using System.Collections.Immutable;
using Milestones.Domain.Projects;
using Milestones.Storage.MongoDB;
using Milestones.Storage.MongoDB.Documents;
using Milestones.Storage.Tests.TestData;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// The operations port's filters and updates on MongoDB (<see cref="MongoMaintenanceProtocol"/>), rendered without a
/// server: a repair is version-checked and leaves the outbox alone, a lease is released only as it was listed, and every
/// operator is on the README's allow-list.
/// </summary>
public sealed class Rendering_the_MongoDB_maintenance_protocol
{
    static readonly DateTimeOffset Now = new(2023, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_repair_sets_the_whole_state_and_the_next_version_and_leaves_the_outbox_and_lease_alone()
    {
        var state = ProjectState.Empty(TestCatalog.Hub) with
        {
            IsComplete = true, CompletionCount = 1,
            Reached = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                [KeyValuePair.Create("opened", new ReachedMilestone("opened", Now, Guid.NewGuid(), TestCatalog.Source, Now))]),
        };

        var update = Render(MongoMaintenanceProtocol.ReplaceState(state, Now)).AsBsonDocument;

        ProtocolAllowList.AssertUpdate(update);
        Assert.Equal(["$inc", "$set"], update.Names.Order());
        Assert.Equal(new BsonDocument("version", 1L), update["$inc"]);
        Assert.Equal(["isComplete", "completionCount", "reopenCount", "reached", "retractions", "progress", "targetsMet", "registration", "overdueNoticed", "updatedAt"],
            update["$set"].AsBsonDocument.Names);
        Assert.DoesNotContain("outbox", update.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("lease", update.ToString(), StringComparison.Ordinal);
        // The filter it is sent with is the commit's own version check.
        Assert.Equal(new BsonDocument { { "_id", TestCatalog.Hub }, { "version", 4L } }, Render(MongoStoreProtocol.AtVersion(TestCatalog.Hub, 4)));
    }

    [Fact]
    public void A_project_without_state_gets_version_one_and_nothing_pending()
    {
        var document = MongoMaintenanceProtocol.NewProject(ProjectState.Empty(TestCatalog.Park), Now);

        Assert.Equal(1, document.Version);
        Assert.Empty(document.Outbox);
        Assert.Null(document.PendingSince);
    }

    [Fact]
    public void A_lease_is_released_only_as_it_was_listed()
    {
        var until = Now.UtcDateTime.AddMinutes(30);

        var filter = Render(MongoMaintenanceProtocol.LeaseAsListed(TestCatalog.Hub, "dispatcher-a", until));
        var update = Render(MongoMaintenanceProtocol.ReleaseLease);

        ProtocolAllowList.AssertFilter(filter);
        ProtocolAllowList.AssertUpdate(update);
        Assert.Equal(new BsonDocument { { "_id", TestCatalog.Hub }, { "leaseOwner", "dispatcher-a" }, { "leaseUntil", until } }, filter);
        Assert.Equal(new BsonDocument("$unset", new BsonDocument { { "leaseOwner", 1 }, { "leaseUntil", 1 } }), update);
    }

    [Fact]
    public void Events_are_read_by_recording_time_applied_only_with_plain_sorts_and_projections()
    {
        var filter = Render(MongoMaintenanceProtocol.AppliedEvents);
        var sort = MongoMaintenanceProtocol.RecordedOrder.Render(Args<EventDocument>());
        var projection = MongoMaintenanceProtocol.ProjectIdOnly.Render(Args<EventDocument>());

        ProtocolAllowList.AssertFilter(filter);
        Assert.Equal(new BsonDocument("applied", true), filter);
        ProtocolAllowList.AssertPlainFields(sort);
        Assert.Equal(new BsonDocument { { "recordedAt.Ticks", 1 }, { "_id", 1 } }, sort);
        ProtocolAllowList.AssertPlainFields(projection);
        Assert.Equal(new BsonDocument { { "projectId", 1 }, { "_id", 0 } }, projection);
    }

    static RenderArgs<T> Args<T>() => new(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry);

    static BsonDocument Render<T>(FilterDefinition<T> filter) => filter.Render(Args<T>());

    static BsonValue Render<T>(UpdateDefinition<T> update) => update.Render(Args<T>());
}
