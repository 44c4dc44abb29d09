using Microsoft.Data.Sqlite;
using Milestones.Storage.Sqlite;

namespace Milestones.Storage.Tests.Contract;

/// <summary>A fresh SQLite file per test, deleted afterwards.</summary>
public sealed class SqliteHarness : StoreHarness
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "milestones-storage-tests", $"{Guid.NewGuid():N}.db");

    public override Task<OpenStore> Open() => Task.FromResult(OpenSqlite(out _));

    /// <summary>Opens the store and also hands out the concrete type, for the SQLite-only fault injection.</summary>
    public OpenStore OpenSqlite(out SqliteMilestoneStore store)
    {
        store = new SqliteMilestoneStore(Path, Time);
        // Closing the pooled connections is what a stopped process does to the file.
        return new OpenStore(store, store, SqliteConnection.ClearAllPools);
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
        return ValueTask.CompletedTask;
    }
}
