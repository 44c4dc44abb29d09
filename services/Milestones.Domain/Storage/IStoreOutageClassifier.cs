namespace Milestones.Domain.Storage;

/// <summary>
/// How a store tells that it cannot be written at all for now (an outage: the input is held and retried until the
/// store is back) from a failure of one write. Each store adapter judges its own driver's exceptions and registers its
/// classifier with the store; the host looks through wrapping exceptions and asks it about each.
/// </summary>
public interface IStoreOutageClassifier
{
    /// <summary>Whether this exception (not its inner exceptions: the caller walks those) is an outage of the store.</summary>
    bool IsOutage(Exception exception);
}
