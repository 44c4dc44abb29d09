namespace Milestones.Worker.Messaging;

/// <summary>
/// A message body over <see cref="MessagingOptions.MaxMessageBodySize"/>, refused before it is read
/// (<see cref="InputEndpoints.MessageSizeFilter"/>); reason code <see cref="MilestonesHeaders.TooLarge"/>. Its full name is
/// on the wire, in the <c>MT-Fault-ExceptionType</c> header of the error queue's copy: it stays in this namespace.
/// </summary>
public sealed class MessageTooLargeException(long length, int limit)
    : Exception($"{MilestonesHeaders.TooLarge}: the body has {length} bytes, more than the {limit} this endpoint reads");
