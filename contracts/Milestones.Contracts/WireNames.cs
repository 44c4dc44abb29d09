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
}
