using MassTransit;
using MassTransit.Context;

namespace Milestones.Worker.Messaging.InputEndpoints;

/// <summary>
/// On the public input endpoint, the message's <c>faultAddress</c> and <c>responseAddress</c> (written by whoever
/// published it) are hidden from everything after this filter. MassTransit sends a consumer's <c>Fault</c> to those
/// addresses when a message has them, with the exception's type, message and stack trace: any publisher could
/// otherwise have the worker send its internals to an exchange or queue of its choosing. With the endpoint's
/// <c>PublishFaults</c> off as well, a refused message produces no fault at all; its copy in the error queue, with its
/// reason header, is the record (<see cref="Consumers.InputEndpointDefinition{TConsumer, TMessage}"/>).
/// </summary>
public sealed class NoRepliesFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return next.Send(context.FaultAddress is null && context.ResponseAddress is null ? context : new NoRepliesConsumeContext(context));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesNoReplies");

    sealed class NoRepliesConsumeContext(ConsumeContext<T> context) : ConsumeContextProxy<T>(context)
    {
        public override Uri? FaultAddress => null;

        public override Uri? ResponseAddress => null;
    }
}
