using MassTransit;
using Milestones.Contracts;

namespace Milestones.Worker.Messaging;

/// <summary>
/// TEST ONLY, off unless <c>Testing:CrashOnNote</c> is set, and refused in the Production environment: kills the
/// process (as a native crash or an out-of-memory kill would) when it consumes a <see cref="MilestoneReached"/>
/// whose note is exactly that text. The crash and restart tests use it to make a message that kills every
/// process that consumes it, which nothing in the service itself can be made to do on purpose.
/// </summary>
public sealed class CrashOnNoteFilter(string note) : IFilter<ConsumeContext<MilestoneReached>>
{
    public const string ConfigurationKey = "Testing:CrashOnNote";

    public Task Send(ConsumeContext<MilestoneReached> context, IPipe<ConsumeContext<MilestoneReached>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (string.Equals(context.Message.Note, note, StringComparison.Ordinal))
        {
            Environment.FailFast($"{ConfigurationKey}: crashing on message {context.MessageId} as configured");
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("testingCrashOnNote");
}
