using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// The embedded store. One SQLite file in WAL mode with full synchronous commits: a commit that returns is on
/// disk, so a message is acknowledged only after its event is durable.
/// <para>
/// A batch (<see cref="Commit"/>) is one transaction, so one disk write however many events it carries. It takes the
/// write lock first (<c>BEGIN IMMEDIATE</c>), reads which of the batch's events are recorded already and the versions
/// of its projects, and then writes only the projects whose commit holds: no new event recorded before, the version
/// the state was computed from. The others are answered <see cref="CommitResult.EventsExist"/> or
/// <see cref="CommitResult.VersionConflict"/> with nothing of them written. Checking before writing needs no savepoint:
/// with the write lock held, nothing changes between the check and the write.
/// </para>
/// <para>
/// The writes of one store instance (batches, outbox claims and marks) take turns on an in-process gate before they
/// ask SQLite for its lock: Microsoft.Data.Sqlite retries a busy database by sleeping 150 ms, which a commit waiting on
/// another commit of the same process must never pay. Another process on the same file waits in SQLite's own busy
/// handler (<c>busy_timeout</c>), in steps of milliseconds.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "A SemaphoreSlim holds nothing to release unless its AvailableWaitHandle is used, which it is not here.")]
public sealed partial class SqliteMilestoneStore : IProjectStore, IOutboxStore, IStoreMaintenance
{
    /// <summary>
    /// The JSON of stored states and outbox payloads. Enums as their names, so a stored value does not depend on the
    /// order of the enum's members. Decimals are JSON numbers written with every digit of the value (and its scale) and
    /// read back into a decimal, never through a double: exact.
    /// </summary>
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    readonly string connectionString;
    readonly TimeProvider time;
    readonly SemaphoreSlim writer = new(1, 1);
    readonly long pageSize;
    long lastCheckpoint;
    int checkpointing;
    long maxPages;          // 0: no limit
    volatile bool limited;  // a limit was set once: connections opened since must be given SQLite's own maximum back

    /// <param name="path">The database file; created with its directory when missing.</param>
    /// <param name="time">The clock leases are measured with; the system clock when null.</param>
    /// <param name="maxSize">Largest size of the database, in bytes (<see cref="MaxSize"/>); no limit when null.</param>
    public SqliteMilestoneStore(string path, TimeProvider? time = null, long? maxSize = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        this.time = time ?? TimeProvider.System;
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        Path = fullPath;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        SqliteSchema.Create(connection);
        using (var pageSizeQuery = connection.CreateCommand())
        {
            pageSizeQuery.CommandText = "PRAGMA page_size";
            pageSize = (long)pageSizeQuery.ExecuteScalar()!;
        }
        MaxSize = maxSize;
    }

    /// <summary>
    /// Largest size of the database in bytes (SQLite's <c>max_page_count</c>, set on every connection the store opens),
    /// or null for no limit. A write that would grow the database past it fails with <c>SQLITE_FULL</c>, as on a full
    /// disk: an outage (<see cref="SqliteStoreOutage"/>), so messages wait instead of failing. It can be raised while the
    /// store runs; connections opened from then on use the new value. Never below the database's current size: SQLite
    /// keeps the limit at the size the file already has.
    /// </summary>
    public long? MaxSize
    {
        get => Interlocked.Read(ref maxPages) is var pages and > 0 ? pages * pageSize : null;
        set
        {
            if (value is <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The size limit must be above zero, or null for none.");
            }
            limited |= value is not null;
            Interlocked.Exchange(ref maxPages, value is { } bytes ? Math.Max(1, bytes / pageSize) : 0);
        }
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>A test seam: called inside the transaction after each step of a batch, to inject a crash between them.</summary>
    internal Action<CommitStep>? AfterStep { get; set; }

    public async Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(projectIds);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, version FROM projects WHERE project_id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(projectIds));
        return await ReadSnapshots(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, version FROM projects ORDER BY project_id";
        return await ReadSnapshots(command, cancellationToken);
    }

    public async Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        if (commits.Count == 0)
        {
            return [];
        }
        await using var writing = await OpenWriter(cancellationToken);
        var connection = writing.Connection;
        // BEGIN IMMEDIATE: the write lock up front, so that nothing changes between the checks and the writes, and another
        // process's writer waits instead of deadlocking.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var recorded = await ReadPairs(connection,
            "SELECT event_id, fingerprint FROM events WHERE event_id IN (SELECT value FROM json_each($ids))",
            commits.SelectMany(c => c.Events).Select(e => e.EventId.ToString()), cancellationToken);
        var versions = await ReadPairs(connection,
            "SELECT project_id, version FROM projects WHERE project_id IN (SELECT value FROM json_each($ids))",
            commits.Select(c => c.ProjectId), cancellationToken);

        var results = new CommitResult[commits.Count];
        await using var batch = new BatchWriter(connection);
        for (var k = 0; k < commits.Count; k++)
        {
            var commit = commits[k];
            var existing = new Dictionary<Guid, string>();
            foreach (var e in commit.Events)
            {
                if (recorded.TryGetValue(e.EventId.ToString(), out var fingerprint))
                {
                    existing[e.EventId] = (string)fingerprint;
                }
            }
            if (existing.Count > 0)
            {
                results[k] = new CommitResult.EventsExist(existing);
                continue;
            }
            if ((versions.TryGetValue(commit.ProjectId, out var stored) ? (long)stored : 0) != commit.ExpectedVersion)
            {
                results[k] = new CommitResult.VersionConflict();
                continue;
            }
            var version = commit.ExpectedVersion + 1;
            // Written at most once per batch: a project has one commit in a batch, and its version moves on with it.
            versions[commit.ProjectId] = version;
            foreach (var e in commit.Events)
            {
                await batch.InsertEvent(e, cancellationToken);
                recorded[e.EventId.ToString()] = e.Fingerprint;
            }
            AfterStep?.Invoke(CommitStep.EventWritten);
            await batch.WriteState(commit, version, JsonSerializer.Serialize(StoredState.From(commit.State), Json), cancellationToken);
            AfterStep?.Invoke(CommitStep.StateWritten);
            foreach (var entry in commit.Outbox)
            {
                var (kind, payload) = Serialize(entry);
                await batch.InsertOutbox(entry, payload, kind, cancellationToken);
            }
            AfterStep?.Invoke(CommitStep.OutboxWritten);
            results[k] = new CommitResult.Committed(version);
        }
        await transaction.CommitAsync(cancellationToken);
        CheckpointSoon();
        return results;
    }

    /// <summary>
    /// Copies the write-ahead log back into the database file mostly off the commit path: at most one checkpoint at a
    /// time, at most one a second, started after a commit. SQLite's automatic checkpoint would run inside the commit
    /// that crosses its threshold and hold that commit (and the messages waiting on it) for as long as copying the log
    /// takes. Here a PASSIVE checkpoint copies the bulk of the log while commits go on; then a second one, between two
    /// commits (on the writer gate), copies only what they appended meanwhile. That second step matters: the log starts
    /// again from its beginning only when a commit finds all of it copied, and a checkpoint that always runs beside
    /// commits never catches up, so the log (and its memory-mapped index) would grow for as long as writes go on.
    /// </summary>
    void CheckpointSoon()
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref lastCheckpoint) < 1_000 || Interlocked.CompareExchange(ref checkpointing, 1, 0) != 0)
        {
            return;
        }
        Interlocked.Exchange(ref lastCheckpoint, now);
        _ = Task.Run(async () =>
        {
            try
            {
                await using var connection = await OpenAsync(CancellationToken.None);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await command.ExecuteNonQueryAsync();
                await writer.WaitAsync();
                try
                {
                    await command.ExecuteNonQueryAsync();
                }
                finally
                {
                    writer.Release();
                }
            }
            catch (SqliteException)
            {
                // The next one will do; durability never depended on it.
            }
            finally
            {
                Volatile.Write(ref checkpointing, 0);
            }
        });
    }

    /// <summary>The first two columns of a query over a JSON array of keys, by the first.</summary>
    static async Task<Dictionary<string, object>> ReadPairs(SqliteConnection connection, string sql, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(keys));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var pairs = new Dictionary<string, object>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs[reader.GetString(0)] = reader.GetValue(1);
        }
        return pairs;
    }

    /// <summary>
    /// A keyset page: the row-value comparison <c>(occurred_at, recorded_at, event_id) &gt; (…)</c> (or <c>&lt;</c>, newest
    /// first) starts the page inside the index <c>events_timeline</c>, which also gives the order, so a page deep in a long
    /// timeline reads only its own rows. Ids are stored as canonical lower-case text, so their ordinal (BINARY) order is
    /// <see cref="TimelinePosition"/>'s. One row more than the page is read, to tell whether more remain.
    /// </summary>
    public async Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query = query.Validated();
        var newest = query.Order == TimelineOrder.NewestFirst;
        var direction = newest ? "DESC" : "ASC";
        var keyset = query.After is null ? string.Empty : newest
            ? "AND (occurred_at, recorded_at, event_id) < ($occurred, $recorded, $event)"
            : "AND (occurred_at, recorded_at, event_id) > ($occurred, $recorded, $event)";
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {EventColumns}
            FROM events WHERE project_id = $id {keyset}
            ORDER BY occurred_at {direction}, recorded_at {direction}, event_id {direction} LIMIT $limit
            """;
        command.Parameters.AddWithValue("$id", projectId);
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        if (query.After is { } after)
        {
            command.Parameters.AddWithValue("$occurred", after.OccurredAtUtcTicks);
            command.Parameters.AddWithValue("$recorded", after.RecordedAtUtcTicks);
            command.Parameters.AddWithValue("$event", after.EventIdKey);
        }
        return TimelinePage.FromOneMore(await ReadEvents(command, cancellationToken), query.Limit);
    }

    /// <summary>The columns <see cref="ReadEvents"/> reads, in its order.</summary>
    const string EventColumns =
        "event_id, project_id, milestone_code, occurred_at, reported_at, source_system, note, evidence_url, fingerprint, recorded_at, retracted_event_id, " +
        "kind, progress_metric, progress_value, progress_unit, detail, revision";

    /// <summary>The events a query of <see cref="EventColumns"/> returns, in its order.</summary>
    static async Task<List<EventRecord>> ReadEvents(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<EventRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            Guid? retracted = reader.IsDBNull(10) ? null : Guid.Parse(reader.GetString(10));
            result.Add(new EventRecord(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                reader.GetString(2),
                FromTicks(reader.GetInt64(3)),
                FromTicks(reader.GetInt64(4)),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8),
                FromTicks(reader.GetInt64(9)),
                retracted)
            {
                // Rows written before kinds were stored have none: a report, or a retraction when it names one.
                Kind = EventKinds.Parse(reader.IsDBNull(11) ? null : reader.GetString(11), retracted),
                Progress = reader.IsDBNull(12)
                    ? null
                    : new ProgressValue(reader.GetString(12), ParseDecimal(reader.GetString(13)), reader.GetString(14)),
                Detail = reader.IsDBNull(15) ? null : reader.GetString(15),
                Revision = reader.IsDBNull(16) ? null : reader.GetInt32(16),
            });
        }
        return result;
    }

    /// <summary>Leases up to <c>maxCount</c> pending entries, oldest first, in one statement (atomic on its own).</summary>
    public async Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var writing = await OpenWriter(cancellationToken);
        var connection = writing.Connection;
        await using var command = connection.CreateCommand();
        // The pending rows only, through the partial index outbox_pending: sent entries never slow the claim down.
        command.CommandText = """
            UPDATE outbox SET lease_owner = $owner, lease_until = $until
            WHERE message_id IN (
                SELECT message_id FROM outbox
                WHERE sent_at IS NULL AND (lease_until IS NULL OR lease_until < $now OR lease_owner = $owner)
                ORDER BY enqueued_at LIMIT $max)
            RETURNING payload, enqueued_at, trace_parent, kind
            """;
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$until", (now + lease).UtcTicks);
        command.Parameters.AddWithValue("$now", now.UtcTicks);
        command.Parameters.AddWithValue("$max", maxCount);
        var claimed = new List<OutboxEntry>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var message = Deserialize(reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(0));
                claimed.Add(new OutboxEntry(message.MessageId, message.ProjectId, FromTicks(reader.GetInt64(1)), message,
                    reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        return claimed.OrderBy(e => e.EnqueuedAt).ToList();
    }

    public async Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        await using var writing = await OpenWriter(cancellationToken);
        var connection = writing.Connection;
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE outbox SET sent_at = $sent, lease_owner = NULL, lease_until = NULL
            WHERE message_id IN (SELECT value FROM json_each($ids))
            """;
        command.Parameters.AddWithValue("$sent", sentAt.UtcTicks);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(messageIds.Select(id => id.ToString())));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MIN(enqueued_at) FROM outbox WHERE sent_at IS NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OutboxBacklog(reader.GetInt64(0), reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)));
    }

    /// <summary>Checks that the file can be opened and read; used by the readiness check.</summary>
    public async Task Ping(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// The writes of one batch, each statement prepared once and run once per row (preparing costs more than running
    /// these small statements).
    /// </summary>
    sealed class BatchWriter(SqliteConnection connection) : IAsyncDisposable
    {
        readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);

        public async Task InsertEvent(EventRecord e, CancellationToken cancellationToken)
        {
            var command = Statement("""
                INSERT INTO events (event_id, project_id, milestone_code, occurred_at, reported_at, source_system, note, evidence_url, fingerprint, recorded_at,
                    retracted_event_id, kind, progress_metric, progress_value, progress_unit, detail, revision)
                VALUES ($id, $project, $code, $occurred, $reported, $source, $note, $evidence, $fingerprint, $recorded, $retracted,
                    $kind, $metric, $value, $unit, $detail, $revision)
                """);
            command.Parameters.AddWithValue("$id", e.EventId.ToString());
            command.Parameters.AddWithValue("$project", e.ProjectId);
            command.Parameters.AddWithValue("$code", e.MilestoneCode);
            command.Parameters.AddWithValue("$occurred", e.OccurredAt.UtcTicks);
            command.Parameters.AddWithValue("$reported", e.ReportedAt.UtcTicks);
            command.Parameters.AddWithValue("$source", e.SourceSystem);
            command.Parameters.AddWithValue("$note", (object?)e.Note ?? DBNull.Value);
            command.Parameters.AddWithValue("$evidence", (object?)e.EvidenceUrl ?? DBNull.Value);
            command.Parameters.AddWithValue("$fingerprint", e.Fingerprint);
            command.Parameters.AddWithValue("$recorded", e.RecordedAt.UtcTicks);
            command.Parameters.AddWithValue("$retracted", (object?)e.RetractedEventId?.ToString() ?? DBNull.Value);
            command.Parameters.AddWithValue("$kind", EventKinds.Code(e.Kind));
            command.Parameters.AddWithValue("$metric", (object?)e.Progress?.Metric ?? DBNull.Value);
            command.Parameters.AddWithValue("$value", (object?)e.Progress?.Value.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value);
            command.Parameters.AddWithValue("$unit", (object?)e.Progress?.Unit ?? DBNull.Value);
            command.Parameters.AddWithValue("$detail", (object?)e.Detail ?? DBNull.Value);
            command.Parameters.AddWithValue("$revision", (object?)e.Revision ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task WriteState(ProjectCommit commit, long version, string state, CancellationToken cancellationToken)
        {
            var command = Statement("""
                INSERT INTO projects (project_id, version, state, updated_at) VALUES ($id, $version, $state, $now)
                ON CONFLICT (project_id) DO UPDATE SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at
                """);
            command.Parameters.AddWithValue("$id", commit.ProjectId);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$state", state);
            command.Parameters.AddWithValue("$now", commit.Events[^1].RecordedAt.UtcTicks);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task InsertOutbox(OutboxEntry entry, string payload, string kind, CancellationToken cancellationToken)
        {
            var command = Statement("""
                INSERT INTO outbox (message_id, project_id, payload, enqueued_at, trace_parent, kind)
                VALUES ($id, $project, $payload, $enqueued, $traceParent, $kind)
                """);
            command.Parameters.AddWithValue("$id", entry.MessageId.ToString());
            command.Parameters.AddWithValue("$project", entry.ProjectId);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$enqueued", entry.EnqueuedAt.UtcTicks);
            command.Parameters.AddWithValue("$traceParent", (object?)entry.TraceParent ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        SqliteCommand Statement(string sql)
        {
            if (!statements.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                command.CommandText = sql;
                statements[sql] = command;
            }
            command.Parameters.Clear();
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in statements.Values)
            {
                await command.DisposeAsync();
            }
        }
    }

    /// <summary>An outbox entry's kind and payload: the announcement as JSON, told apart by the kind column.</summary>
    static (string Kind, string Payload) Serialize(OutboxEntry entry) => entry.Message switch
    {
        ProjectReopening reopening => (ReopenedKind, JsonSerializer.Serialize(reopening, Json)),
        ProjectCompletion completion => (CompletedKind, JsonSerializer.Serialize(completion, Json)),
        TargetAchievement achievement => (TargetMetKind, JsonSerializer.Serialize(achievement, Json)),
        OverdueNotice overdue => (OverdueKind, JsonSerializer.Serialize(overdue, Json)),
        EventRecordedNotice recorded => (RecordedKind, JsonSerializer.Serialize(recorded, Json)),
        var other => throw new ArgumentException($"No stored form for {other.GetType().Name}.", nameof(entry)),
    };

    /// <summary>
    /// The announcement of an outbox row. Rows written before reopenings existed have no kind: they are completions. A
    /// kind this version does not know (written by a newer one) is an error: publishing it as something else under its
    /// message id would be worse than not publishing it.
    /// </summary>
    static ProjectAnnouncement Deserialize(string? kind, string payload) => kind switch
    {
        null or CompletedKind => JsonSerializer.Deserialize<ProjectCompletion>(payload, Json)!,
        ReopenedKind => JsonSerializer.Deserialize<ProjectReopening>(payload, Json)!,
        TargetMetKind => JsonSerializer.Deserialize<TargetAchievement>(payload, Json)!,
        OverdueKind => JsonSerializer.Deserialize<OverdueNotice>(payload, Json)!,
        RecordedKind => JsonSerializer.Deserialize<EventRecordedNotice>(payload, Json)!,
        _ => throw new InvalidOperationException($"An outbox entry is of unknown kind '{kind}'."),
    };

    static decimal ParseDecimal(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    static async Task<IReadOnlyList<ProjectSnapshot>> ReadSnapshots(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<ProjectSnapshot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new(JsonSerializer.Deserialize<StoredState>(reader.GetString(0), Json)!.ToState(), reader.GetInt64(1)));
        }
        return result;
    }

    static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Configure(connection);
        return connection;
    }

    /// <summary>A connection for a write, holding this store's writer gate until it is disposed.</summary>
    async Task<WriterConnection> OpenWriter(CancellationToken cancellationToken)
    {
        await writer.WaitAsync(cancellationToken);
        try
        {
            return new WriterConnection(await OpenAsync(cancellationToken), writer);
        }
        catch
        {
            writer.Release();
            throw;
        }
    }

    sealed class WriterConnection(SqliteConnection connection, SemaphoreSlim gate) : IAsyncDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            gate.Release();
        }
    }

    async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        Configure(connection);
        return connection;
    }

    void Configure(SqliteConnection connection)
    {
        // FULL: a committed transaction survives power loss, not only a process crash (NORMAL in WAL mode does not).
        // cache_size 8 MiB (default 2): the event-id index is written at random places, and a page read back from the
        // OS costs a system call. wal_autocheckpoint 0: no checkpoint inside a commit; CheckpointSoon runs them beside
        // the commits. Neither changes what is durable when: that is the WAL and synchronous=FULL. journal_size_limit
        // 64 MiB: the log file is cut back to that when it starts over (it holds about a second of writes at full load).
        // busy_timeout: another process's writer is waited for in SQLite's own busy handler, in steps of milliseconds.
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = FULL; PRAGMA cache_size = -8192; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864; PRAGMA busy_timeout = 5000;";
        if (limited)
        {
            // Pooled connections keep what they were given: every open states the current limit (SQLite's own maximum,
            // which it clamps to, when the limit was lifted).
            var pages = Interlocked.Read(ref maxPages);
            command.CommandText += $" PRAGMA max_page_count = {(pages > 0 ? pages : uint.MaxValue - 1)};";
        }
        command.ExecuteNonQuery();
    }

    const string CompletedKind = "completed";
    const string ReopenedKind = "reopened";
    const string TargetMetKind = "target-met";
    const string OverdueKind = "overdue";
    const string RecordedKind = "recorded";

    /// <summary>
    /// The stored shape of a project's state: flat lists, so the key orders are rebuilt on load. States written before
    /// retractions existed have neither retractions nor a reopen count, and load as none and 0; states written before
    /// progress, registrations and overdue findings existed load with no readings, no targets met, no registration and
    /// no overdue milestones noticed. Empty parts are left out of the JSON.
    /// </summary>
    sealed record StoredState(
        string ProjectId, bool IsComplete, int CompletionCount, IReadOnlyList<ReachedMilestone> Reached,
        int ReopenCount = 0, IReadOnlyList<RetractionRecord>? Retractions = null,
        IReadOnlyList<ProgressReading>? Progress = null, IReadOnlyList<StoredTarget>? TargetsMet = null,
        ProjectRegistration? Registration = null, IReadOnlyList<string>? OverdueNoticed = null)
    {
        public static StoredState From(ProjectState state) =>
            new(state.ProjectId, state.IsComplete, state.CompletionCount, state.Reached.Values.ToList(),
                state.ReopenCount, state.Retractions.Count == 0 ? null : state.Retractions.Values.ToList(),
                state.Progress.Count == 0 ? null : state.Progress.Values.ToList(),
                state.TargetsMet.Count == 0 ? null : state.TargetsMet.Select(t => new StoredTarget(t.Key, t.Value.TimesMet, t.Value.IsMet)).ToList(),
                state.Registration,
                state.OverdueNoticed.Count == 0 ? null : state.OverdueNoticed.ToList());

        public ProjectState ToState() => new()
        {
            ProjectId = ProjectId,
            IsComplete = IsComplete,
            CompletionCount = CompletionCount,
            ReopenCount = ReopenCount,
            Reached = Reached.ToImmutableSortedDictionary(m => m.Code, m => m, StringComparer.Ordinal),
            Retractions = (Retractions ?? []).ToImmutableSortedDictionary(r => r.RetractedEventId, r => r),
            Progress = (Progress ?? []).ToImmutableSortedDictionary(p => p.Metric, p => p, StringComparer.Ordinal),
            TargetsMet = (TargetsMet ?? []).ToImmutableSortedDictionary(t => t.Metric, t => new TargetRecord(t.TimesMet, t.IsMet), StringComparer.Ordinal),
            Registration = Registration,
            OverdueNoticed = (OverdueNoticed ?? []).ToImmutableSortedSet(StringComparer.Ordinal),
        };
    }

    /// <summary>A target's record in <see cref="StoredState"/>, with its metric.</summary>
    sealed record StoredTarget(string Metric, int TimesMet, bool IsMet);
}

/// <summary>The steps of a commit, for fault injection in tests.</summary>
internal enum CommitStep
{
    EventWritten,
    StateWritten,
    OutboxWritten,

}
