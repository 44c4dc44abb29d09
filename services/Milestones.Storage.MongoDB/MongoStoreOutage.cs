using Milestones.Domain.Storage;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// Which MongoDB failures mean the store cannot take writes at all for now (an outage: the message is held and retried
/// until the store is back), as opposed to a failure of one write. Judged the way the driver itself judges what to
/// retry: by the error labels the server and the driver put on an error, by the replica-set state codes (no writable
/// primary, a node recovering or shutting down), by write-concern failures (a <c>wtimeout</c> when the majority is
/// lost), and by connection, server-selection and pool timeouts. Registered with the store (<see cref="MongoDbStoreExtensions.AddMongoDbStore"/>).
/// </summary>
public sealed class MongoStoreOutage : IStoreOutageClassifier
{
    /// <summary>Labels meaning "the same operation may succeed later": set by the server (4.4+) and by the driver on network errors.</summary>
    public static readonly IReadOnlyList<string> TransientLabels =
        ["RetryableWriteError", "TransientTransactionError", "NetworkError", "RetryableError", "SystemOverloadedError"];

    /// <summary>
    /// Server error codes of a replica set without a usable primary, a node shutting down or recovering, a network
    /// failure between members, a time limit hit, and a write concern that could not be satisfied in time.
    /// </summary>
    static readonly HashSet<int> OutageCodes =
    [
        6,      // HostUnreachable
        7,      // HostNotFound
        50,     // MaxTimeMSExpired
        64,     // WriteConcernFailed (wtimeout)
        89,     // NetworkTimeout
        91,     // ShutdownInProgress
        133,    // FailedToSatisfyReadPreference
        134,    // ReadConcernMajorityNotAvailableYet
        189,    // PrimarySteppedDown
        216,    // ElectionInProgress
        262,    // ExceededTimeLimit
        9001,   // SocketException
        10058,  // LegacyNotPrimary
        10107,  // NotWritablePrimary
        11600,  // InterruptedAtShutdown
        11602,  // InterruptedDueToReplStateChange
        13435,  // NotPrimaryNoSecondaryOk
        13436,  // NotPrimaryOrSecondary
    ];

    /// <summary>Whether this exception (not its inner exceptions: the caller walks those) is a MongoDB outage.</summary>
    public static bool IsOutage(Exception exception) => exception switch
    {
        // Server selection timed out (no primary), or the connection pool's wait queue did.
        TimeoutException => true,
        MongoException labelled when TransientLabels.Any(labelled.HasErrorLabel) => true,
        // Authentication failures are connection exceptions too: the store cannot be written until someone fixes them.
        MongoConnectionException or MongoConnectionPoolPausedException or MongoWaitQueueFullException => true,
        MongoNotPrimaryException or MongoNodeIsRecoveringException => true,
        // The write may be applied, but not acknowledged by the majority in time: not durable, try again later.
        MongoWriteConcernException => true,
        MongoExecutionTimeoutException => true,
        MongoWriteException write => write.WriteConcernError is not null || (write.WriteError is { } error && OutageCodes.Contains(error.Code)),
        MongoBulkWriteException bulk => bulk.WriteConcernError is not null,
        MongoCommandException command => OutageCodes.Contains(command.Code),
        _ => false,
    };

    bool IStoreOutageClassifier.IsOutage(Exception exception) => IsOutage(exception);
}
