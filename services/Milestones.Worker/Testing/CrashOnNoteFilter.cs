using MassTransit;
using Milestones.Contracts;

namespace Milestones.Worker.Testing;

/// <summary>
/// TEST ONLY, off unless <c>Testing:CrashOnNote</c> or <c>Testing:CrashAfterRecordingNote</c> is set, and refused in the
/// Production environment: kills the process (as a native crash or an out-of-memory kill would) when it consumes a
/// <see cref="MilestoneReached"/> whose note is exactly that text: before recording it (a message that kills every
/// process that consumes it), or once its batch is durable and before its acknowledgement (a crash between the store
/// write and the acks). The crash and restart tests use them; nothing in the service itself can be made to do either
/// on purpose. Added to the input endpoints by <see cref="TestingSwitches.UseTestingSwitches"/>.
/// </summary>
public sealed class CrashOnNoteFilter(string note, bool afterRecording) : IFilter<ConsumeContext<MilestoneReached>>
{
    public const string ConfigurationKey = "Testing:CrashOnNote";
    public const string AfterRecordingConfigurationKey = "Testing:CrashAfterRecordingNote";

    public async Task Send(ConsumeContext<MilestoneReached> context, IPipe<ConsumeContext<MilestoneReached>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var matches = string.Equals(context.Message.Note, note, StringComparison.Ordinal);
        if (matches && !afterRecording)
        {
            Environment.FailFast($"{ConfigurationKey}: crashing on message {context.MessageId} as configured");
        }
        await next.Send(context).ConfigureAwait(false);
        if (matches)
        {
            Environment.FailFast($"{AfterRecordingConfigurationKey}: crashing after recording message {context.MessageId}, before its acknowledgement, as configured");
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("testingCrashOnNote");
}
