namespace Milestones.Domain.Validation;

/// <summary>
/// Who sent a message: the broker-validated identity (RabbitMQ's AMQP <c>user_id</c>, which the broker checks against
/// the connection's user) decides, never only a name written in the body.
/// </summary>
public static class PublisherIdentity
{
    /// <summary>
    /// The source of a message. <paramref name="claimed"/>: <c>sourceSystem</c> from the body, if any;
    /// <paramref name="authenticated"/>: the validated publisher identity, if the transport has one.
    /// The body must name the same source or none (it is then filled from the identity). Without an identity the
    /// message is refused when <paramref name="required"/>; otherwise (an explicitly configured development mode) the
    /// body's name is taken as it is.
    /// </summary>
    public static (string Source, Rejection? Rejection) Resolve(string? claimed, string? authenticated, bool required)
    {
        if (string.IsNullOrEmpty(authenticated))
        {
            if (required)
            {
                return (string.Empty, new Rejection(RejectionReason.UnauthenticatedSource,
                    "the message carries no broker-validated publisher identity (AMQP user_id); publish with user_id set to your broker user"));
            }
            return (claimed ?? string.Empty, null);
        }
        if (!string.IsNullOrEmpty(claimed) && !string.Equals(claimed, authenticated, StringComparison.Ordinal))
        {
            return (authenticated, new Rejection(RejectionReason.SourceMismatch,
                $"sourceSystem '{MilestoneValidator.Clip(claimed)}' is not the publisher's broker user '{MilestoneValidator.Clip(authenticated)}'; leave it out or send your own"));
        }
        return (authenticated, null);
    }
}
