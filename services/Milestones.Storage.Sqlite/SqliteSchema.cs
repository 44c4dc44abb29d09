using Microsoft.Data.Sqlite;

namespace Milestones.Storage.Sqlite;

/// <summary>Creates the tables once per file; every statement is idempotent.</summary>
static class SqliteSchema
{
    // Instants are stored as UTC ticks so that ordering and comparison are numeric and exact.
    const string Ddl = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS events (
            event_id        TEXT    NOT NULL PRIMARY KEY,
            project_id      TEXT    NOT NULL,
            milestone_code  TEXT    NOT NULL,
            occurred_at     INTEGER NOT NULL,
            reported_at     INTEGER NOT NULL,
            source_system   TEXT    NOT NULL,
            note            TEXT    NULL,
            evidence_url    TEXT    NULL,
            fingerprint     TEXT    NOT NULL,
            recorded_at     INTEGER NOT NULL
        );
        -- The timeline's keyset order, both ways. It replaces events_by_project (project_id, occurred_at), its prefix,
        -- which files written by earlier versions have: built here on their first open, the old one dropped.
        CREATE INDEX IF NOT EXISTS events_timeline ON events (project_id, occurred_at, recorded_at, event_id);
        DROP INDEX IF EXISTS events_by_project;
        CREATE TABLE IF NOT EXISTS projects (
            project_id  TEXT    NOT NULL PRIMARY KEY,
            version     INTEGER NOT NULL,
            state       TEXT    NOT NULL,
            updated_at  INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS outbox (
            message_id   TEXT    NOT NULL PRIMARY KEY,
            project_id   TEXT    NOT NULL,
            payload      TEXT    NOT NULL,
            enqueued_at  INTEGER NOT NULL,
            sent_at      INTEGER NULL,
            lease_owner  TEXT    NULL,
            lease_until  INTEGER NULL,
            trace_parent TEXT    NULL
        );
        CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (enqueued_at) WHERE sent_at IS NULL;
        """;

    public static void Create(SqliteConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Ddl;
            command.ExecuteNonQuery();
        }
        AddColumnIfMissing(connection, "outbox", "trace_parent", "TEXT NULL");
        // Retractions are events too (their own id, so a redelivery is recognised); this names the report withdrawn.
        AddColumnIfMissing(connection, "events", "retracted_event_id", "TEXT NULL");
        // What an outbox row announces ('completed', 'reopened', 'target-met', 'overdue', 'recorded'); rows from before
        // reopenings existed have none and are completions.
        AddColumnIfMissing(connection, "outbox", "kind", "TEXT NULL");
        // What an event is (its code: reached, retracted, progress, registered, overdue); rows from before kinds were
        // stored have none and are reports or retractions, by retracted_event_id.
        AddColumnIfMissing(connection, "events", "kind", "TEXT NULL");
        // A progress report's metric, value and unit (or the withdrawn one's, on its retraction). The value is the
        // decimal's invariant text, exact to its last digit and scale: SQLite's REAL would round it.
        AddColumnIfMissing(connection, "events", "progress_metric", "TEXT NULL");
        AddColumnIfMissing(connection, "events", "progress_value", "TEXT NULL");
        AddColumnIfMissing(connection, "events", "progress_unit", "TEXT NULL");
        // A registration's entry as JSON, or an overdue finding's due date; and a registration's revision.
        AddColumnIfMissing(connection, "events", "detail", "TEXT NULL");
        AddColumnIfMissing(connection, "events", "revision", "INTEGER NULL");
    }

    /// <summary>
    /// Files written before a column existed get it on open. SQLite has no <c>ADD COLUMN IF NOT EXISTS</c>, so the
    /// table's columns are read first; two processes racing here both see it missing, and the loser's
    /// "duplicate column" error is taken as the column being there.
    /// </summary>
    static void AddColumnIfMissing(SqliteConnection connection, string table, string column, string definition)
    {
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT COUNT(*) FROM pragma_table_info($table) WHERE name = $column";
        read.Parameters.AddWithValue("$table", table);
        read.Parameters.AddWithValue("$column", column);
        if ((long)read.ExecuteScalar()! > 0)
        {
            return;
        }
        using var alter = connection.CreateCommand();
        alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition}";
        try
        {
            alter.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
        {
        }
    }
}
