using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Milestones.Worker.Messaging;

/// <summary>
/// The bus's receive endpoints as they become ready, so that shutdown can stop consuming before the outbox's last flush.
/// Hosted services stop in reverse order: the outbox dispatcher stops before MassTransit's hosted service, while every
/// consumer still runs. Without this, consumers would go on committing completions during the flush and after it, and
/// those would wait in the outbox for the next start. MassTransit's own stop of the bus then finds the endpoints stopped
/// (stopping one twice does nothing).
/// </summary>
public sealed partial class Intake(IOptions<MessagingOptions> options, ILogger<Intake> logger) : IReceiveEndpointObserver
{
    readonly ConcurrentDictionary<Uri, IReceiveEndpoint> endpoints = new();

    /// <summary>
    /// Stops every receive endpoint at once: no further deliveries, messages in flight finished, prefetched ones returned
    /// to the broker. Bounded by <c>Messaging:StopTimeout</c>, like MassTransit's own stop of the bus.
    /// </summary>
    public async Task Stop(CancellationToken cancellationToken)
    {
        var stopping = endpoints.Values.ToList();
        if (stopping.Count == 0)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StopTimeout);
        try
        {
            await Task.WhenAll(stopping.Select(endpoint => endpoint.Stop(timeout.Token)));
            LogStopped(stopping.Count);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out, or an endpoint failed to stop: the bus's own stop tries again; the flush goes on regardless.
            LogStopFailed(ex, options.Value.StopTimeout);
        }
    }

    Task IReceiveEndpointObserver.Ready(ReceiveEndpointReady ready)
    {
        endpoints[ready.InputAddress] = ready.ReceiveEndpoint;
        return Task.CompletedTask;
    }

    Task IReceiveEndpointObserver.Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    Task IReceiveEndpointObserver.Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    Task IReceiveEndpointObserver.Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Stopped consuming on {Count} receive endpoints before the outbox's last flush")]
    partial void LogStopped(int count);

    [LoggerMessage(LogLevel.Warning, "Could not stop every receive endpoint within {Timeout}; the bus's own stop tries again")]
    partial void LogStopFailed(Exception exception, TimeSpan timeout);
}
