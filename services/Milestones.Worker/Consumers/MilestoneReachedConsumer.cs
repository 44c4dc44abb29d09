using System.Diagnostics;
using Milestones.Contracts;
using Milestones.Domain.Recording;

namespace Milestones.Worker.Consumers;

/// <summary>Records a reported milestone; a completion it causes is published by the outbox dispatcher.</summary>
public sealed class MilestoneReachedConsumer(RecordingIntake intake, InputRecording recording, ILogger<MilestoneReachedConsumer> logger)
    : RecordingConsumer<MilestoneReached>(intake, recording, logger)
{
    protected override Activity? StartSpan(InputRecording spans, MilestoneReached message) => spans.StartSpan(message);

    protected override string? ClaimedSource(MilestoneReached message) => message.SourceSystem;

    protected override RecordRequest ToRequest(MilestoneReached message, string source) => RecordRequest.Of(message.ToDomain(source));

    protected override Guid EventId(MilestoneReached message) => message.EventId;

    protected override string? ProjectId(MilestoneReached message) => message.ProjectId;
}
