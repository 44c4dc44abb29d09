using Microsoft.Data.Sqlite;
using MongoDB.Driver;

namespace Milestones.Worker.Messaging;

/// <summary>
/// Failures that mean the store cannot be reached at all, as opposed to a failure of this one message: MongoDB's
/// connection errors and server-selection timeouts, SQLite's busy, locked and unopenable database.
/// </summary>
public static class StoreOutage
{
    const int SqliteBusy = 5;
    const int SqliteLocked = 6;
    const int SqliteCantOpen = 14;

    public static bool IsOutage(Exception exception) => exception switch
    {
        MongoConnectionException or TimeoutException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteCantOpen,
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };
}
