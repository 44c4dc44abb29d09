using Milestones.Storage.MongoDB;
using MongoDB.Driver;

namespace Milestones.Storage.Tests.Contract;

/// <summary>A fresh database per test on the server <see cref="MongoDbServer"/> found, dropped afterwards.</summary>
public sealed class MongoDbHarness(string connectionString) : StoreHarness
{
    readonly List<MongoClient> clients = [];

    public string DatabaseName { get; } = $"milestones-test-{Guid.NewGuid():N}";

    /// <summary>The options the store gets: TLS when the server's URL asks for it, as the worker would connect (MongoDbServer.Options).</summary>
    public MongoDbOptions Options => MongoDbServer.Options(connectionString, DatabaseName);

    public override async Task<OpenStore> Open()
    {
        var store = OpenMongo(out var client);
        await store.EnsureIndexes(TestContext.Current.CancellationToken);
        return new OpenStore(store, store, client.Dispose);
    }

    /// <summary>Opens the store on its own client (as a new process would) and also hands out the concrete type.</summary>
    public MongoMilestoneStore OpenMongo(out MongoClient client)
    {
        client = new MongoClient(MongoDbClientSettings.Create(Options));
        clients.Add(client);
        return new MongoMilestoneStore(client.GetDatabase(DatabaseName), Time);
    }

    public override async ValueTask DisposeAsync()
    {
        using var client = new MongoClient(MongoDbClientSettings.Create(Options));
        await client.DropDatabaseAsync(DatabaseName);
        foreach (var opened in clients)
        {
            opened.Dispose();
        }
    }
}
