using Microsoft.Data.Sqlite;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>Reads the worker's SQLite file directly (WAL mode lets a reader in while the worker writes).</summary>
public sealed class StoreReader(string path)
{
    public string Path { get; } = path;

    public long CountEvents() => Scalar("SELECT COUNT(*) FROM events");

    public long CountEvents(IEnumerable<Guid> ids)
    {
        var set = ids.Select(id => id.ToString()).ToHashSet();
        return EventIds().Count(set.Contains);
    }

    public bool HasEvent(Guid id) => Scalar("SELECT COUNT(*) FROM events WHERE event_id = $id", ("$id", id.ToString())) == 1;

    public long PendingOutbox() => Scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");

    /// <summary>Outbox rows that announce a completion (a row written before kinds were stored is one), sent or not.</summary>
    public long CompletionEntries() => Scalar("SELECT COUNT(*) FROM outbox WHERE kind IS NULL OR kind = 'completed'");

    /// <summary>Outbox rows of the event feed (one per recorded event), sent or not.</summary>
    public long FeedEntries() => Scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'recorded'");

    public IReadOnlyList<string> EventIds()
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM events";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>Every project's completion count, from its stored state.</summary>
    public IReadOnlyDictionary<string, (bool IsComplete, int CompletionCount, int Reached)> Projects() =>
        States().ToDictionary(p => p.Id, p => (p.State.GetProperty("isComplete").GetBoolean(), p.State.GetProperty("completionCount").GetInt32(),
            p.State.GetProperty("reached").GetArrayLength()));

    /// <summary>Every project's reopen count, from its stored state (0 where it was never reopened).</summary>
    public IReadOnlyDictionary<string, int> ReopenCounts() =>
        States().ToDictionary(p => p.Id, p => p.State.TryGetProperty("reopenCount", out var count) ? count.GetInt32() : 0);

    List<(string Id, System.Text.Json.JsonElement State)> States()
    {
        var result = new List<(string, System.Text.Json.JsonElement)>();
        if (!File.Exists(Path))
        {
            return result;
        }
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT project_id, state FROM projects";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), System.Text.Json.JsonDocument.Parse(reader.GetString(1)).RootElement));
        }
        return result;
    }

    long Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        if (!File.Exists(Path))
        {
            return 0;
        }
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }
}
