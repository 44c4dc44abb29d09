namespace Milestones.Storage.Tests.Contract;

/// <summary>The store contract on MongoDB; runs when <see cref="MongoDbServer"/> finds a server, else each test is skipped with the reason.</summary>
public sealed class MongoDbStoreContract(MongoDbServer server) : StoreContract
{
    protected override StoreHarness CreateHarness() => new MongoDbHarness(server.Require());
}
