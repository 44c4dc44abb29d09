namespace Milestones.Contracts;

/// <summary>
/// The names publishers and subscribers agree on. They are part of the wire contract and never change:
/// moving or renaming a type must not move its message type or its exchange (see README.md).
/// </summary>
public static class WireNames
{
    /// <summary>
    /// Message type name of <see cref="MilestoneReached"/>. On the wire it is the URN
    /// <c>urn:message:Milestones.Contracts:MilestoneReached</c>, in the envelope's <c>messageType</c> or the <c>MT-MessageType</c> header.
    /// </summary>
    public const string MilestoneReachedType = "Milestones.Contracts:MilestoneReached";

    /// <summary>Fanout exchange that <see cref="MilestoneReached"/> is published to.</summary>
    public const string MilestoneReachedExchange = "milestones.milestone-reached";

    /// <summary>Message type name of <see cref="ProjectCompleted"/>: URN <c>urn:message:Milestones.Contracts:ProjectCompleted</c>.</summary>
    public const string ProjectCompletedType = "Milestones.Contracts:ProjectCompleted";

    /// <summary>Fanout exchange that <see cref="ProjectCompleted"/> is published to.</summary>
    public const string ProjectCompletedExchange = "milestones.project-completed";

    /// <summary>Message type name of <see cref="MilestoneRetracted"/>: URN <c>urn:message:Milestones.Contracts:MilestoneRetracted</c>.</summary>
    public const string MilestoneRetractedType = "Milestones.Contracts:MilestoneRetracted";

    /// <summary>Fanout exchange that <see cref="MilestoneRetracted"/> is published to.</summary>
    public const string MilestoneRetractedExchange = "milestones.milestone-retracted";

    /// <summary>Message type name of <see cref="ProjectReopened"/>: URN <c>urn:message:Milestones.Contracts:ProjectReopened</c>.</summary>
    public const string ProjectReopenedType = "Milestones.Contracts:ProjectReopened";

    /// <summary>Fanout exchange that <see cref="ProjectReopened"/> is published to.</summary>
    public const string ProjectReopenedExchange = "milestones.project-reopened";

    /// <summary>Message type name of <see cref="ProgressReported"/>: URN <c>urn:message:Milestones.Contracts:ProgressReported</c>.</summary>
    public const string ProgressReportedType = "Milestones.Contracts:ProgressReported";

    /// <summary>Fanout exchange that <see cref="ProgressReported"/> is published to.</summary>
    public const string ProgressReportedExchange = "milestones.progress-reported";

    /// <summary>Message type name of <see cref="ProjectRegistered"/>: URN <c>urn:message:Milestones.Contracts:ProjectRegistered</c>.</summary>
    public const string ProjectRegisteredType = "Milestones.Contracts:ProjectRegistered";

    /// <summary>Fanout exchange that <see cref="ProjectRegistered"/> is published to.</summary>
    public const string ProjectRegisteredExchange = "milestones.project-registered";

    /// <summary>Message type name of <see cref="TargetMet"/>: URN <c>urn:message:Milestones.Contracts:TargetMet</c>.</summary>
    public const string TargetMetType = "Milestones.Contracts:TargetMet";

    /// <summary>Fanout exchange that <see cref="TargetMet"/> is published to.</summary>
    public const string TargetMetExchange = "milestones.target-met";

    /// <summary>Message type name of <see cref="MilestoneOverdue"/>: URN <c>urn:message:Milestones.Contracts:MilestoneOverdue</c>.</summary>
    public const string MilestoneOverdueType = "Milestones.Contracts:MilestoneOverdue";

    /// <summary>Fanout exchange that <see cref="MilestoneOverdue"/> is published to.</summary>
    public const string MilestoneOverdueExchange = "milestones.milestone-overdue";

    /// <summary>Message type name of <see cref="MilestoneRecorded"/>: URN <c>urn:message:Milestones.Contracts:MilestoneRecorded</c>.</summary>
    public const string MilestoneRecordedType = "Milestones.Contracts:MilestoneRecorded";

    /// <summary>Fanout exchange that <see cref="MilestoneRecorded"/> is published to.</summary>
    public const string MilestoneRecordedExchange = "milestones.milestone-recorded";
}
