using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// What a user writes first: a MassTransit consumer that stores each event in its own SQLite transaction (open a
/// pooled connection, BEGIN, insert the event, upsert the project's row, COMMIT), durable like the real store (WAL,
/// synchronous=FULL). MassTransit's default concurrency (the prefetch) and no batching.
/// </summary>
public sealed class NaiveScenario(Broker broker, string directory) : IDrainScenario
{
    QueueType queueType;
    MassTransitBus? bus;
    NaiveStore? store;

    public string Name => "naive";
    public string Queue => "bench.naive";
    public string[] Entities => [Queue, Queue + "_error", Queue + "_skipped"];

    public async Task Prepare(QueueType type, int prefetch)
    {
        queueType = type;
        store = new NaiveStore(Path.Combine(directory, $"naive-{Guid.NewGuid():N}.db"));
        await using var connection = await broker.Connect("bench-naive-declare");
        await using var channel = await connection.CreateChannelAsync();
        await Broker.DeclareQueue(channel, Queue, queueType);
    }

    public async Task Start(DrainClock clock, int prefetch) =>
        bus = await MassTransitBus.Start<NaiveSqliteConsumer>(broker, Queue, queueType, prefetch, services =>
        {
            services.AddSingleton(clock);
            services.AddSingleton(store!);
        });

    public TimeSpan ConsumerCpu() => Cpu.Self();

    public string Diagnose() => "";

    public async Task<string?> Verify(long expected)
    {
        var stored = await store!.CountEvents();
        return stored == expected ? null : $"naive store holds {stored} events, expected {expected}";
    }

    public async ValueTask DisposeAsync()
    {
        if (bus is not null)
        {
            await bus.DisposeAsync();
        }
        store?.Delete();
    }

    public sealed class NaiveSqliteConsumer(NaiveStore store, DrainClock clock) : IConsumer<MilestoneReached>
    {
        public async Task Consume(ConsumeContext<MilestoneReached> context)
        {
            await store.Write(context.Message, context.CancellationToken);
            clock.Tick();
        }
    }

    /// <summary>One SQLite file; every write opens a pooled connection and commits its own transaction.</summary>
    public sealed class NaiveStore
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

        public void Delete()
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }
    }
}
