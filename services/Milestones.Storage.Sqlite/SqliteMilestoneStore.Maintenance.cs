using System.Text.Json;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// The operations port (<see cref="IStoreMaintenance"/>): the event record in the order it was written (SQLite's
/// <c>rowid</c>, which grows with every insert: events are never deleted, and a batch inserts a project's events in the
/// order they were applied), the version-checked replacement of a state, and the outbox's leases.
/// </summary>
public sealed partial class SqliteMilestoneStore
{
    public async Task<IReadOnlyList<string>> ListProjectsWithEvents(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT project_id FROM events ORDER BY project_id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    public async Task<IReadOnlyList<EventRecord>> ReadEventsInRecordedOrder(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EventColumns} FROM events WHERE project_id = $id ORDER BY rowid";
        command.Parameters.AddWithValue("$id", projectId);
        return await ReadEvents(command, cancellationToken);
    }

    public async Task<bool> ReplaceState(ProjectState state, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        await using var writing = await OpenWriter(cancellationToken);
        await using var command = writing.Connection.CreateCommand();
        // Version 0 means "no row": the insert gives way to a row another writer created meanwhile.
        command.CommandText = expectedVersion == 0
            ? "INSERT INTO projects (project_id, version, state, updated_at) VALUES ($id, 1, $state, $now) ON CONFLICT (project_id) DO NOTHING"
            : "UPDATE projects SET version = version + 1, state = $state, updated_at = $now WHERE project_id = $id AND version = $expected";
        command.Parameters.AddWithValue("$id", state.ProjectId);
        command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(StoredState.From(state), Json));
        command.Parameters.AddWithValue("$now", time.GetUtcNow().UtcTicks);
        command.Parameters.AddWithValue("$expected", expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Sent entries stay in the table (with <c>sent_at</c>), so every announcement ever enqueued is known.</summary>
    public async Task<IReadOnlySet<Guid>?> ReadEnqueuedMessageIds(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id FROM outbox WHERE project_id = $id";
        command.Parameters.AddWithValue("$id", projectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(Guid.Parse(reader.GetString(0)));
        }
        return ids;
    }

    public async Task<IReadOnlyList<PendingOutboxEntry>> ListPendingOutbox(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT payload, kind, enqueued_at, trace_parent, lease_owner, lease_until
            FROM outbox WHERE sent_at IS NULL ORDER BY enqueued_at, message_id
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<PendingOutboxEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var message = Deserialize(reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(0));
            var entry = new OutboxEntry(message.MessageId, message.ProjectId, FromTicks(reader.GetInt64(2)), message, reader.IsDBNull(3) ? null : reader.GetString(3));
            result.Add(PendingOutboxEntry.From(entry,
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : FromTicks(reader.GetInt64(5))));
        }
        return result;
    }

    public async Task<bool> ReleaseLease(PendingOutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var writing = await OpenWriter(cancellationToken);
        await using var command = writing.Connection.CreateCommand();
        // Only the lease that was listed: a dispatcher that claimed the entry again since holds a new lease_until.
        command.CommandText = """
            UPDATE outbox SET lease_owner = NULL, lease_until = NULL
            WHERE message_id = $id AND sent_at IS NULL AND lease_owner IS $owner AND lease_until IS $until AND lease_until IS NOT NULL
            """;
        command.Parameters.AddWithValue("$id", entry.MessageId.ToString());
        command.Parameters.AddWithValue("$owner", (object?)entry.LeaseOwner ?? DBNull.Value);
        command.Parameters.AddWithValue("$until", (object?)entry.LeaseUntil?.UtcTicks ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
