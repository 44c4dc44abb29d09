using Microsoft.Data.Sqlite;

namespace Milestones.Worker.Demo;

/// <summary>
/// The demo's throwaway SQLite file: one per process in the temp directory, so that every run shows a completion, and
/// removed (with its WAL files) when the demo stops, so that runs leave nothing behind.
/// </summary>
public static class DemoDatabase
{
    public static string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"milestones-demo-{Environment.ProcessId}.db");

    /// <summary>Deletes the file; call once the host has stopped (its pooled connections are closed first).</summary>
    public static void Delete()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
