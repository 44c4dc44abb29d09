using Milestones.Domain.Recording;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Consumers;

/// <summary>
/// Failures that mean the store cannot be written at all for now, as opposed to a failure of this one message. The
/// configured store judges its own driver's exceptions (the <see cref="IStoreOutageClassifier"/> its adapter registers);
/// this looks through wrappers (inner and aggregate exceptions) for one it calls an outage. A plain
/// <see cref="TimeoutException"/> is an outage whichever store threw it.
/// </summary>
public sealed class StoreOutage(IEnumerable<IStoreOutageClassifier> classifiers)
{
    readonly IStoreOutageClassifier[] classifiers = [.. classifiers];

    public bool IsOutage(Exception exception) => exception switch
    {
        TimeoutException => true,
        _ when classifiers.Any(c => c.IsOutage(exception)) => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsOutage),
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };

    /// <summary>The <c>kind</c> tag of <c>milestones.record.failures</c> for a failure that is not a refusal.</summary>
    public string Kind(Exception exception) =>
        IsOutage(exception) ? OutageKind
        : exception is ConcurrencyException ? ConflictKind
        : UnexpectedKind;

    /// <summary>The store cannot be written: the message is held and retried until it can.</summary>
    public const string OutageKind = "outage";

    /// <summary>Other writers kept changing the project: retried, then dead-lettered like any other failure.</summary>
    public const string ConflictKind = "conflict";

    /// <summary>Neither a refusal nor an outage nor contention: a bug, a value the store cannot take. Alerted on.</summary>
    public const string UnexpectedKind = "unexpected";
}
