namespace Milestones.Contracts.Validation;

/// <summary>
/// The reason codes the service writes in the <c>Milestones-Rejection-Reason</c> header of a refused message (and tags
/// <c>milestones.events.rejected</c> with). <see cref="MessageValidator"/> gives the ones a publisher can check before
/// sending; the others depend on the broker identity or on what the service has stored.
/// </summary>
public static class RejectionCodes
{
    /// <summary>A required field is missing, null or empty.</summary>
    public const string MissingField = "missing-field";

    /// <summary>The project is not in the catalog.</summary>
    public const string UnknownProject = "unknown-project";

    /// <summary>The milestone code is not in the vocabulary (<see cref="MilestoneCodes"/>).</summary>
    public const string UnknownMilestone = "unknown-milestone";

    /// <summary>The milestone code is not in the project's plan.</summary>
    public const string MilestoneNotInPlan = "milestone-not-in-plan";

    /// <summary>A timestamp is later than now plus the allowed clock skew.</summary>
    public const string TimestampInFuture = "timestamp-in-future";

    /// <summary><c>occurredAt</c> is before the project's <c>existsSince</c> day.</summary>
    public const string BeforeProjectExisted = "before-project-existed";

    /// <summary><c>reportedAt</c> is before <c>occurredAt</c>.</summary>
    public const string ReportedBeforeOccurred = "reported-before-occurred";

    /// <summary>A text field is over its limit (or, found by the service, the body is).</summary>
    public const string TooLarge = "too-large";

    /// <summary>A field has a value it cannot have: a link that is not absolute http(s), a negative value.</summary>
    public const string InvalidField = "invalid-field";

    /// <summary>The progress report names a metric that is not one of the project's targets.</summary>
    public const string UnknownMetric = "unknown-metric";

    /// <summary>The progress report's unit is not its target's.</summary>
    public const string UnitMismatch = "unit-mismatch";

    /// <summary>The registered catalog entry is not one the catalog could hold.</summary>
    public const string InvalidEntry = "invalid-entry";

    /// <summary>Service only: the event id was used before for a different payload.</summary>
    public const string Conflict = "conflict";

    /// <summary>Service only: the message has no broker-validated publisher (AMQP <c>user_id</c>).</summary>
    public const string UnauthenticatedSource = "unauthenticated-source";

    /// <summary>Service only: <c>sourceSystem</c> is not the publisher's broker user.</summary>
    public const string SourceMismatch = "source-mismatch";

    /// <summary>Service only: the catalog's source rules do not allow the sender to do this for the project.</summary>
    public const string SourceNotAuthorized = "source-not-authorized";
}
