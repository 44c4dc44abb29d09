using System.Net;
using System.Reflection;
using Milestones.Storage.MongoDB;
using Milestones.Worker.Consumers;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// Which MongoDB failures hold a message as an outage (held and retried until the store is back) and which fail it
/// alone, judged on the driver's own exception objects, built the way the driver builds them from a server's reply.
/// No server needed.
/// </summary>
public sealed class Classifying_MongoDB_outages
{
    /// <summary>The worker's outage rule over the classifier the MongoDB store registers.</summary>
    static readonly StoreOutage Outage = new([new MongoStoreOutage()]);

    static readonly ConnectionId Connection = new(new ServerId(new ClusterId(), new DnsEndPoint("db-0.example", 27017)));
    static readonly BsonDocument Command = new("insert", "events");

    static BsonDocument Reply(int code, string codeName) => new() { { "ok", 0 }, { "code", code }, { "codeName", codeName }, { "errmsg", codeName } };

    // The driver builds these from a server's reply; their constructors are internal, so they are made the same way here.
    static T Internal<T>(params object?[] arguments) =>
        (T)typeof(T).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single(c => c.GetParameters().Length == arguments.Length).Invoke(arguments);

    /// <summary>What a replica set that lost its majority answers a <c>w:majority</c> write after <c>wtimeout</c>.</summary>
    static WriteConcernError WriteConcernTimedOut() =>
        Internal<WriteConcernError>(64, "WriteConcernFailed", "waiting for replication timed out", new BsonDocument("wtimeout", true), Array.Empty<string>());

    static WriteError DuplicateKey() =>
        Internal<WriteError>(ServerErrorCategory.DuplicateKey, 11000, "E11000 duplicate key error collection: milestones.events", new BsonDocument());

    public static TheoryData<string, Exception> Outages() => new()
    {
        { "no server selected in time", new TimeoutException("A timeout occurred after 30000ms selecting a server using CompositeServerSelector") },
        { "connection lost", new MongoConnectionException(Connection, "An exception occurred while receiving a message from the server.") },
        { "not writable primary", new MongoNotPrimaryException(Connection, Command, Reply(10107, "NotWritablePrimary")) },
        { "node recovering", new MongoNodeIsRecoveringException(Connection, Command, Reply(11602, "InterruptedDueToReplStateChange")) },
        { "primary stepped down (code)", new MongoCommandException(Connection, "stepped down", Command, Reply(189, "PrimarySteppedDown")) },
        { "shutting down (code)", new MongoCommandException(Connection, "shutdown", Command, Reply(91, "ShutdownInProgress")) },
        { "labelled retryable", Labelled(new MongoCommandException(Connection, "overloaded", Command, Reply(2, "BadValue")), "RetryableWriteError") },
        { "labelled network error", Labelled(new MongoCommandException(Connection, "reset", Command, Reply(2, "BadValue")), "NetworkError") },
        { "labelled transient", Labelled(new MongoCommandException(Connection, "txn", Command, Reply(2, "BadValue")), "TransientTransactionError") },
        { "write concern timed out (command)", new MongoWriteConcernException(Connection, "waiting for replication timed out",
            new WriteConcernResult(new BsonDocument { { "ok", 1 }, { "n", 1 }, { "writeConcernError", new BsonDocument { { "code", 64 }, { "errmsg", "waiting for replication timed out" } } } })) },
        { "write concern timed out (updateOne)", new MongoWriteException(Connection, null!, WriteConcernTimedOut(), null) },
        { "write concern timed out (insertMany)", new MongoBulkWriteException<BsonDocument>(Connection,
            new BulkWriteResult<BsonDocument>.Acknowledged(2, 2, 0, 0, 0, [], []), [], WriteConcernTimedOut(), []) },
        { "operation time limit", new MongoExecutionTimeoutException(Connection, "operation exceeded time limit") },
    };

    public static TheoryData<string, Exception> NotOutages() => new()
    {
        { "duplicate key (updateOne)", new MongoWriteException(Connection, DuplicateKey(), null!, null) },
        { "duplicate keys only (insertMany)", new MongoBulkWriteException<BsonDocument>(Connection,
            new BulkWriteResult<BsonDocument>.Acknowledged(2, 1, 0, 0, 0, [], []),
            [Internal<BulkWriteError>(1, ServerErrorCategory.DuplicateKey, 11000, "E11000 duplicate key", new BsonDocument())], null!, []) },
        { "a bad value", new MongoCommandException(Connection, "bad value", Command, Reply(2, "BadValue")) },
        { "a document too large", new MongoCommandException(Connection, "too large", Command, Reply(10334, "BSONObjectTooLarge")) },
        { "not a MongoDB failure", new InvalidOperationException("a bug") },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public void A_failure_of_the_store_as_a_whole_is_an_outage(string why, Exception failure)
    {
        Assert.True(MongoStoreOutage.IsOutage(failure), why);
        Assert.True(Outage.IsOutage(failure), why);
        Assert.Equal(StoreOutage.OutageKind, Outage.Kind(failure));
    }

    [Theory]
    [MemberData(nameof(NotOutages))]
    public void A_failure_of_one_write_is_not_an_outage(string why, Exception failure)
    {
        Assert.False(MongoStoreOutage.IsOutage(failure), why);
        Assert.False(Outage.IsOutage(failure), why);
    }

    [Fact]
    public async Task A_write_to_a_MongoDB_nothing_answers_fails_as_an_outage()
    {
        // The real driver against a closed port: it fails the write once server selection gives up (300 ms here).
        var client = new MongoClient(MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = FreePort.ClosedMongoDb("u", "p") }));
        var events = client.GetDatabase("milestones").GetCollection<BsonDocument>("events");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => events.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: TestContext.Current.CancellationToken));

        Assert.True(MongoStoreOutage.IsOutage(failure), failure.GetType().FullName);
        Assert.Equal(StoreOutage.OutageKind, Outage.Kind(failure));
    }

    [Fact]
    public void An_outage_wrapped_in_other_exceptions_is_found()
    {
        var outage = new MongoNotPrimaryException(Connection, Command, Reply(10107, "NotWritablePrimary"));

        Assert.True(Outage.IsOutage(new InvalidOperationException("recording failed", outage)));
        Assert.True(Outage.IsOutage(new AggregateException(new ArgumentException("one"), outage)));
        Assert.False(Outage.IsOutage(new AggregateException(new ArgumentException("one"), new InvalidOperationException("two"))));
    }

    [Fact]
    public void Failures_that_are_not_outages_are_conflicts_or_unexpected()
    {
        Assert.Equal(StoreOutage.ConflictKind, Outage.Kind(new Milestones.Domain.Recording.ConcurrencyException("kept changing")));
        Assert.Equal(StoreOutage.UnexpectedKind, Outage.Kind(new MongoWriteException(Connection, DuplicateKey(), null!, null)));
        Assert.Equal(StoreOutage.UnexpectedKind, Outage.Kind(new IOException("a value the store cannot take")));
    }

    static T Labelled<T>(T exception, string label) where T : MongoException
    {
        exception.AddErrorLabel(label);
        return exception;
    }
}
