namespace Milestones.Storage.Tests.Contract;

/// <summary>The store contract on the embedded SQLite store; runs everywhere.</summary>
public sealed class SqliteStoreContract : StoreContract
{
    protected override StoreHarness CreateHarness() => new SqliteHarness();
}
