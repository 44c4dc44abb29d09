using Milestones.Storage.MongoDB;
using Milestones.Storage.Sqlite;

namespace Milestones.Worker.Messaging;

/// <summary>
/// Failures that mean the store cannot be written at all for now, as opposed to a failure of this one message. Each
/// store judges its own driver's exceptions (<see cref="MongoStoreOutage"/>, <see cref="SqliteStoreOutage"/>); this
/// looks through wrappers (inner and aggregate exceptions) for one of them. A plain <see cref="TimeoutException"/> is
/// an outage whichever store threw it.
/// </summary>
public static class StoreOutage
{
    public static bool IsOutage(Exception exception) => exception switch
    {
        TimeoutException => true,
        _ when MongoStoreOutage.IsOutage(exception) || SqliteStoreOutage.IsOutage(exception) => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsOutage),
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };

    /// <summary>The <c>kind</c> tag of <c>milestones.record.failures</c> for a failure that is not a refusal.</summary>
    public static string Kind(Exception exception) =>
        IsOutage(exception) ? OutageKind
        : exception is Milestones.Domain.Recording.ConcurrencyException ? ConflictKind
        : UnexpectedKind;

    /// <summary>The store cannot be written: the message is held and retried until it can.</summary>
    public const string OutageKind = "outage";

    /// <summary>Other writers kept changing the project: retried, then dead-lettered like any other failure.</summary>
    public const string ConflictKind = "conflict";

    /// <summary>Neither a refusal nor an outage nor contention: a bug, a value the store cannot take. Alerted on.</summary>
    public const string UnexpectedKind = "unexpected";
}
