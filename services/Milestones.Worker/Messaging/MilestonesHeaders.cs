namespace Milestones.Worker.Messaging;

/// <summary>Headers the service adds to the messages it moves to the error queue, next to MassTransit's <c>MT-Fault-*</c>.</summary>
public static class MilestonesHeaders
{
    /// <summary>
    /// The stable reason code of a refused message (<c>unknown-project</c>, <c>conflict</c>, <c>malformed-message</c>, …),
    /// so that an operator or a tool can sort the error queue without parsing exception text.
    /// </summary>
    public const string RejectionReason = "Milestones-Rejection-Reason";

    /// <summary>The code used for a body that could not be read as the message type at all (bad JSON, a wrong field type).</summary>
    public const string MalformedMessage = "malformed-message";

    /// <summary>The code used for a body larger than <c>Messaging:MaxMessageBodySize</c>, refused before it is read.</summary>
    public const string TooLarge = "too-large";

    /// <summary>The code used for a body whose content type no deserializer of the endpoint reads (or that has none it can read).</summary>
    public const string UnsupportedContentType = "unsupported-content-type";
}
