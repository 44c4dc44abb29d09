namespace Milestones.Contracts.Validation;

/// <summary>Why a message would be refused: a code of <see cref="RejectionCodes"/> and the sentence the service logs with it.</summary>
/// <param name="Code">The reason code, as in the service's <c>Milestones-Rejection-Reason</c> header.</param>
/// <param name="Message">The same words the service uses.</param>
public sealed record MessageRejection(string Code, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Thrown by <see cref="MessageValidator.EnsureValid(MilestoneReached)"/> and its overloads for a message the service would refuse.</summary>
public sealed class MessageRejectedException : Exception
{
    /// <summary>Creates the exception for <paramref name="rejection"/>.</summary>
    public MessageRejectedException(MessageRejection rejection)
        : base(rejection?.ToString()) => Rejection = rejection ?? throw new ArgumentNullException(nameof(rejection));

    /// <summary>The reason.</summary>
    public MessageRejection Rejection { get; }
}
