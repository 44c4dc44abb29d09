namespace Milestones.Domain.Validation;

/// <summary>Why an event is refused. The code is stable: it is a metric tag and an error-queue header.</summary>
public enum RejectionReason
{
    MissingField,
    UnknownProject,
    UnknownMilestone,
    MilestoneNotInPlan,
    TimestampInFuture,
    BeforeProjectExisted,
    ReportedBeforeOccurred,
    TooLarge,
    InvalidField,
    Conflict,
    UnauthenticatedSource,
    SourceMismatch,
    SourceNotAuthorized,
    UnknownMetric,
    UnitMismatch,
    InvalidEntry,
}

/// <summary>A refused event: the reason code and a sentence a human can act on.</summary>
public sealed record Rejection(RejectionReason Reason, string Message)
{
    public string Code => Reason switch
    {
        RejectionReason.MissingField => "missing-field",
        RejectionReason.UnknownProject => "unknown-project",
        RejectionReason.UnknownMilestone => "unknown-milestone",
        RejectionReason.MilestoneNotInPlan => "milestone-not-in-plan",
        RejectionReason.TimestampInFuture => "timestamp-in-future",
        RejectionReason.BeforeProjectExisted => "before-project-existed",
        RejectionReason.ReportedBeforeOccurred => "reported-before-occurred",
        RejectionReason.TooLarge => "too-large",
        RejectionReason.InvalidField => "invalid-field",
        RejectionReason.Conflict => "conflict",
        RejectionReason.UnauthenticatedSource => "unauthenticated-source",
        RejectionReason.SourceMismatch => "source-mismatch",
        RejectionReason.SourceNotAuthorized => "source-not-authorized",
        RejectionReason.UnknownMetric => "unknown-metric",
        RejectionReason.UnitMismatch => "unit-mismatch",
        RejectionReason.InvalidEntry => "invalid-entry",
        _ => "invalid",
    };

    public override string ToString() => $"{Code}: {Message}";
}
