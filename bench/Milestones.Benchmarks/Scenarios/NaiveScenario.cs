using Microsoft.Data.Sqlite;
using Milestones.Contracts;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// The naive consumer on SQLite: each event in its own transaction (open a pooled connection, BEGIN, insert the event,
/// upsert the project's row, COMMIT), durable like the real store (WAL, synchronous=FULL).
/// </summary>
public sealed class NaiveScenario(Broker broker, string directory) : NaiveDrainScenario(broker)
{
    public override string Name => "naive";
    public override string Queue => "bench.naive";

    protected override INaiveStore CreateStore() => new NaiveStore(Path.Combine(directory, $"naive-{Guid.NewGuid():N}.db"));

    /// <summary>One SQLite file; every write opens a pooled connection and commits its own transaction.</summary>
    public sealed class NaiveStore : INaiveStore
    {
        readonly string path;
        readonly string connectionString;

        public NaiveStore(string path)
        {
            this.path = path;
            connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 60 }.ToString();
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE events (event_id TEXT PRIMARY KEY, project_id TEXT NOT NULL, milestone_code TEXT NOT NULL,
                    occurred_at INTEGER NOT NULL, reported_at INTEGER NOT NULL, source_system TEXT NOT NULL, note TEXT, evidence_url TEXT);
                CREATE TABLE projects (project_id TEXT PRIMARY KEY, events INTEGER NOT NULL, last_milestone TEXT NOT NULL, updated_at INTEGER NOT NULL);
                """;
            command.ExecuteNonQuery();
        }

        public async Task Write(MilestoneReached m, CancellationToken cancellationToken)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous = FULL";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO events VALUES ($id, $project, $code, $occurred, $reported, $source, $note, $evidence)
                    ON CONFLICT (event_id) DO NOTHING
                    """;
                insert.Parameters.AddWithValue("$id", m.EventId.ToString());
                insert.Parameters.AddWithValue("$project", m.ProjectId);
                insert.Parameters.AddWithValue("$code", m.MilestoneCode);
                insert.Parameters.AddWithValue("$occurred", m.OccurredAt.UtcTicks);
                insert.Parameters.AddWithValue("$reported", m.ReportedAt.UtcTicks);
                insert.Parameters.AddWithValue("$source", m.SourceSystem);
                insert.Parameters.AddWithValue("$note", (object?)m.Note ?? DBNull.Value);
                insert.Parameters.AddWithValue("$evidence", (object?)m.EvidenceUrl ?? DBNull.Value);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var upsert = connection.CreateCommand())
            {
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO projects VALUES ($project, 1, $code, $now)
                    ON CONFLICT (project_id) DO UPDATE SET events = events + 1, last_milestone = excluded.last_milestone, updated_at = excluded.updated_at
                    """;
                upsert.Parameters.AddWithValue("$project", m.ProjectId);
                upsert.Parameters.AddWithValue("$code", m.MilestoneCode);
                upsert.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.UtcTicks);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        public async Task<long> CountEvents()
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM events";
            return (long)(await command.ExecuteScalarAsync())!;
        }

        /// <summary>Deletes the file.</summary>
        public ValueTask DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
            return ValueTask.CompletedTask;
        }
    }
}
