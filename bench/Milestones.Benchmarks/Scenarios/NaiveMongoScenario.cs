using Milestones.Contracts;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// The naive consumer on MongoDB: per event, it inserts the event (<c>insertOne</c>) and upserts its project's
/// document (<c>updateOne</c> with <c>$inc</c>/<c>$set</c>), each write acknowledged by a majority and journaled, as
/// the worker's MongoDB store writes by default. Its own database on the server of <c>MILESTONES_TEST_MONGODB</c>,
/// dropped afterwards.
/// </summary>
public sealed class NaiveMongoScenario(Broker broker, string connectionString) : NaiveDrainScenario(broker)
{
    public override string Name => Report.NaiveMongoDb;
    public override string Queue => "bench.naive-mongodb";

    protected override INaiveStore CreateStore() => new NaiveMongoStore(connectionString, $"bench-naive-{Guid.NewGuid():N}");

    /// <summary>An <c>events</c> and a <c>projects</c> collection; two writes per event, w: majority, j: true.</summary>
    public sealed class NaiveMongoStore : INaiveStore
    {
        static readonly UpdateOptions Upsert = new() { IsUpsert = true };

        readonly MongoClient client;
        readonly string databaseName;
        readonly IMongoCollection<BsonDocument> events;
        readonly IMongoCollection<BsonDocument> projects;

        public NaiveMongoStore(string connectionString, string databaseName)
        {
            client = new MongoClient(connectionString);
            this.databaseName = databaseName;
            var database = client.GetDatabase(databaseName).WithWriteConcern(WriteConcern.WMajority.With(journal: true));
            events = database.GetCollection<BsonDocument>("events");
            projects = database.GetCollection<BsonDocument>("projects");
        }

        public async Task Write(MilestoneReached m, CancellationToken cancellationToken)
        {
            var document = new BsonDocument
            {
                ["_id"] = new BsonBinaryData(m.EventId, GuidRepresentation.Standard),
                ["projectId"] = m.ProjectId,
                ["milestoneCode"] = m.MilestoneCode,
                ["occurredAt"] = m.OccurredAt.UtcDateTime,
                ["reportedAt"] = m.ReportedAt.UtcDateTime,
                ["sourceSystem"] = m.SourceSystem,
                ["note"] = BsonValue.Create(m.Note),
                ["evidenceUrl"] = BsonValue.Create(m.EvidenceUrl),
            };
            try
            {
                await events.InsertOneAsync(document, cancellationToken: cancellationToken);
            }
            catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
                // A redelivery: kept once, as the SQLite naive consumer's ON CONFLICT DO NOTHING.
            }
            var update = Builders<BsonDocument>.Update
                .Inc("events", 1)
                .Set("lastMilestone", m.MilestoneCode)
                .Set("updatedAt", DateTime.UtcNow);
            await projects.UpdateOneAsync(Builders<BsonDocument>.Filter.Eq("_id", m.ProjectId), update, Upsert, cancellationToken);
        }

        public Task<long> CountEvents() => events.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);

        /// <summary>Drops the database.</summary>
        public async ValueTask DisposeAsync()
        {
            await client.DropDatabaseAsync(databaseName);
            client.Dispose();
        }
    }
}
