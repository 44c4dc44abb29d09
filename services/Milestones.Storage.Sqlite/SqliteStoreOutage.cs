using Microsoft.Data.Sqlite;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// Which SQLite failures mean the store cannot take writes for now (an outage: the message is held and retried until
/// the store is back), as opposed to a failure of one write: the database is busy or locked by another process, cannot
/// be opened, is full (the disk, or the store's size limit), read-only (a volume remounted read-only), or the operating
/// system failed an I/O on it. Every extended code of those (<c>SQLITE_IOERR_WRITE</c>, <c>SQLITE_IOERR_FSYNC</c>,
/// <c>SQLITE_BUSY_SNAPSHOT</c>, …) counts as its primary code. Registered with the store (<see cref="SqliteStoreExtensions.AddSqliteStore"/>).
/// </summary>
public sealed class SqliteStoreOutage : IStoreOutageClassifier
{
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Full = 13;
    public const int CantOpen = 14;

    /// <summary>Whether this exception (not its inner exceptions: the caller walks those) is a SQLite outage.</summary>
    public static bool IsOutage(Exception exception) =>
        exception is SqliteException sqlite
        && ((sqlite.SqliteErrorCode & 0xFF) is Busy or Locked or ReadOnly or IoError or Full or CantOpen
            || (sqlite.SqliteExtendedErrorCode & 0xFF) is Busy or Locked or ReadOnly or IoError or Full or CantOpen);

    bool IStoreOutageClassifier.IsOutage(Exception exception) => IsOutage(exception);
}
