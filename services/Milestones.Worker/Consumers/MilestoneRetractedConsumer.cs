using System.Diagnostics;
using Milestones.Contracts;
using Milestones.Domain.Recording;

namespace Milestones.Worker.Consumers;

/// <summary>Records a retraction; a reopening it causes is published by the outbox dispatcher.</summary>
public sealed class MilestoneRetractedConsumer(RecordingIntake intake, InputRecording recording, ILogger<MilestoneRetractedConsumer> logger)
    : RecordingConsumer<MilestoneRetracted>(intake, recording, logger)
{
    protected override Activity? StartSpan(InputRecording spans, MilestoneRetracted message) => spans.StartSpan(message);

    protected override string? ClaimedSource(MilestoneRetracted message) => message.SourceSystem;

    protected override RecordRequest ToRequest(MilestoneRetracted message, string source) => RecordRequest.Of(message.ToDomain(source));

    protected override Guid EventId(MilestoneRetracted message) => message.EventId;

    protected override string? ProjectId(MilestoneRetracted message) => message.ProjectId;
}
