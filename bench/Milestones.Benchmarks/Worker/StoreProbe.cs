using Microsoft.Data.Sqlite;

namespace Milestones.Benchmarks.Worker;

/// <summary>
/// Reads the worker's SQLite file from outside (WAL lets a reader in while the worker writes): how many events are
/// recorded, and which ones arrived since the last look. What it sees is committed, so it is durable.
/// </summary>
public sealed class StoreProbe : IStoreProbe
{
    readonly SqliteConnection connection;
    readonly SqliteCommand count;
    readonly SqliteCommand since;
    readonly SqliteParameter sinceRowId;

    public StoreProbe(string path)
    {
        connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        count = connection.CreateCommand();
        // Events are only ever inserted, so the largest rowid is the number of rows, and costs a B-tree descent, not a scan.
        count.CommandText = "SELECT COALESCE(MAX(rowid), 0) FROM events";
        since = connection.CreateCommand();
        since.CommandText = "SELECT rowid, event_id FROM events WHERE rowid > $after ORDER BY rowid LIMIT 20000";
        sinceRowId = since.Parameters.Add("$after", SqliteType.Integer);
    }

    /// <summary>Events recorded so far (0 before the worker created its tables).</summary>
    public long Count()
    {
        try
        {
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException ex) when (ex.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return 0;
        }
    }

    /// <summary>Exact already (events are committed whole, and the largest rowid is their number).</summary>
    long IStoreProbe.Count(long exactFrom) => Count();

    public long CountRecorded() => CountExactly("events");

    /// <summary>Outbox entries not marked sent.</summary>
    public long PendingOutbox() => CountExactly("outbox", "sent_at IS NULL");

    /// <summary>Event ids recorded after <paramref name="lastRowId"/>, which moves on.</summary>
    public List<Guid> NewEvents(ref long lastRowId)
    {
        var result = new List<Guid>();
        sinceRowId.Value = lastRowId;
        try
        {
            using var reader = since.ExecuteReader();
            while (reader.Read())
            {
                lastRowId = reader.GetInt64(0);
                result.Add(Guid.Parse(reader.GetString(1)));
            }
        }
        catch (SqliteException ex) when (ex.Message.Contains("no such table", StringComparison.Ordinal))
        {
        }
        return result;
    }

    /// <summary>An exact count, for the check after a run.</summary>
    public long CountExactly(string table, string where = "1")
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {where}";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        count.Dispose();
        since.Dispose();
        connection.Dispose();
    }
}
