using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// What a user writes first on MongoDB: a MassTransit consumer that, per event, inserts the event (<c>insertOne</c>)
/// and upserts its project's document (<c>updateOne</c> with <c>$inc</c>/<c>$set</c>), each write acknowledged by a
/// majority and journaled, as the worker's MongoDB store writes by default. MassTransit's default concurrency (the
/// prefetch) and no batching. Its own database on the server of <c>MILESTONES_TEST_MONGODB</c>, dropped afterwards.
/// </summary>
public sealed class NaiveMongoScenario(Broker broker, string connectionString) : IDrainScenario
{
    QueueType queueType;
    MassTransitBus? bus;
    NaiveMongoStore? store;

    public string Name => Report.NaiveMongoDb;
    public string Queue => "bench.naive-mongodb";
    public string[] Entities => [Queue, Queue + "_error", Queue + "_skipped"];

    public async Task Prepare(QueueType type, int prefetch)
    {
        queueType = type;
        store = new NaiveMongoStore(connectionString, $"bench-naive-{Guid.NewGuid():N}");
        await using var connection = await broker.Connect("bench-naive-mongodb-declare");
        await using var channel = await connection.CreateChannelAsync();
        await Broker.DeclareQueue(channel, Queue, queueType);
    }

    public async Task Start(DrainClock clock, int prefetch) =>
        bus = await MassTransitBus.Start<NaiveMongoConsumer>(broker, Queue, queueType, prefetch, services =>
        {
            services.AddSingleton(clock);
            services.AddSingleton(store!);
        });

    public TimeSpan ConsumerCpu() => Cpu.Self();

    public string Diagnose() => "";

    public async Task<string?> Verify(long expected)
    {
        var stored = await store!.CountEvents();
        return stored == expected ? null : $"the naive MongoDB database holds {stored} events, expected {expected}";
    }

    public async ValueTask DisposeAsync()
    {
        if (bus is not null)
        {
            await bus.DisposeAsync();
        }
        if (store is not null)
        {
            await store.DropAsync();
            store.Dispose();
        }
    }

    public sealed class NaiveMongoConsumer(NaiveMongoStore store, DrainClock clock) : IConsumer<MilestoneReached>
    {
        public async Task Consume(ConsumeContext<MilestoneReached> context)
        {
            await store.Write(context.Message, context.CancellationToken);
            clock.Tick();
        }
    }

    /// <summary>An <c>events</c> and a <c>projects</c> collection; two writes per event, w: majority, j: true.</summary>
    public sealed class NaiveMongoStore : IDisposable
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

        public Task DropAsync() => client.DropDatabaseAsync(databaseName);

        public void Dispose() => client.Dispose();
    }
}
