using Milestones.Storage.MongoDB.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Milestones.Benchmarks.Worker;

/// <summary>
/// Reads the worker's MongoDB database from outside (services/Milestones.Storage.MongoDB/README.md): an event is
/// recorded once its document in <c>events</c> has <c>applied: true</c>, and an announcement is pending while its
/// project's <c>outbox</c> array holds it. The database is the harness's own, dropped with <see cref="DropDatabase"/>.
/// </summary>
public sealed class MongoProbe : IStoreProbe
{
    static readonly FilterDefinition<BsonDocument> Applied = Builders<BsonDocument>.Filter.Eq(EventDocument.AppliedField, true);
    static readonly FilterDefinition<BsonDocument> Pending = Builders<BsonDocument>.Filter.Exists(ProjectDocument.OutboxField + ".0");

    readonly MongoClient client;
    readonly IMongoCollection<BsonDocument> events;
    readonly IMongoCollection<BsonDocument> projects;

    /// <summary>No connection is made until the first read.</summary>
    public MongoProbe(string connectionString, string databaseName)
    {
        client = new MongoClient(connectionString);
        DatabaseName = databaseName;
        var database = client.GetDatabase(databaseName);
        events = database.GetCollection<BsonDocument>(EventDocument.CollectionName);
        projects = database.GetCollection<BsonDocument>(ProjectDocument.CollectionName);
    }

    public string DatabaseName { get; }

    /// <summary>
    /// Counting <c>applied: true</c> scans the collection (nothing indexes it, and an index of ours would change the
    /// worker's writes), too costly every 10 ms over 100 000 documents. So below <paramref name="exactFrom"/> the
    /// collection's document count stands in (metadata, no scan): an event is inserted in step 1 of its batch's commit
    /// and marked applied in step 4 of the same commit, milliseconds later. From there on, the exact count.
    /// </summary>
    public long Count(long exactFrom)
    {
        var inserted = events.EstimatedDocumentCount();
        return inserted < exactFrom ? inserted : CountRecorded();
    }

    public long CountRecorded() => events.CountDocuments(Applied);

    public long PendingOutbox() => projects.CountDocuments(Pending);

    public void DropDatabase() => client.DropDatabase(DatabaseName);

    public void Dispose() => client.Dispose();
}
