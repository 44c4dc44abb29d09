using System.Diagnostics;
using Milestones.Contracts;
using Milestones.Domain.Recording;

namespace Milestones.Worker.Consumers;

/// <summary>Records a progress report; a target met or a completion it causes is published by the outbox dispatcher.</summary>
public sealed class ProgressReportedConsumer(RecordingIntake intake, InputRecording recording, ILogger<ProgressReportedConsumer> logger)
    : RecordingConsumer<ProgressReported>(intake, recording, logger)
{
    protected override Activity? StartSpan(InputRecording spans, ProgressReported message) => spans.StartSpan(message);

    protected override string? ClaimedSource(ProgressReported message) => message.SourceSystem;

    protected override RecordRequest ToRequest(ProgressReported message, string source) => RecordRequest.Of(message.ToDomain(source));

    protected override Guid EventId(ProgressReported message) => message.EventId;

    protected override string? ProjectId(ProgressReported message) => message.ProjectId;
}
