using Milestones.Domain.Validation;

namespace Milestones.Worker.Messaging;

/// <summary>
/// Thrown for an event that can never be applied. It is not retried: the message goes straight to the
/// error queue, where MassTransit's fault headers carry this message, which starts with the reason code. Its full name is
/// on the wire too (<c>MT-Fault-ExceptionType</c>): it stays in this namespace.
/// </summary>
public sealed class MilestoneRejectedException(Rejection rejection) : Exception(rejection.ToString())
{
    public Rejection Rejection { get; } = rejection;
}
