using System.Diagnostics;
using RabbitMQ.Client;

namespace Milestones.Benchmarks;

/// <summary>
/// Publishes straight to a queue (default exchange) with publisher confirms, many in flight: a message counts as
/// published once the broker confirmed it, so a pre-filled queue really holds the whole backlog.
/// </summary>
public sealed class Publisher : IAsyncDisposable
{
    /// <summary>Publishes in flight at most; more gains little and costs broker memory.</summary>
    public const int Window = 1000;

    readonly IChannel channel;
    readonly SemaphoreSlim inFlight = new(Window, Window);
    Exception? failure;

    Publisher(IChannel channel) => this.channel = channel;

    public static async Task<Publisher> Create(IConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Tracking on, the library's own limiter off: the window above bounds what is outstanding.
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: null);
        return new Publisher(await connection.CreateChannelAsync(options));
    }

    /// <summary>Starts a publish; returns once it is sent (not confirmed). <see cref="Flush"/> waits for the confirms.</summary>
    public async Task Publish(string queue, OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (failure is not null)
        {
            throw new InvalidOperationException("a publish was not confirmed", failure);
        }
        await inFlight.WaitAsync();
        _ = Confirm(channel.BasicPublishAsync(string.Empty, queue, mandatory: true, message.Properties, message.Body));
    }

    async Task Confirm(ValueTask publish)
    {
        try
        {
            await publish;
        }
        catch (Exception ex)
        {
            failure ??= ex;
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>Waits until every publish so far is confirmed.</summary>
    public async Task Flush()
    {
        for (var i = 0; i < Window; i++)
        {
            await inFlight.WaitAsync();
        }
        inFlight.Release(Window);
        if (failure is not null)
        {
            throw new InvalidOperationException("a publish was not confirmed", failure);
        }
    }

    /// <summary>Publishes <paramref name="count"/> messages and waits for their confirms; returns the rate in messages per second.</summary>
    public async Task<double> Fill(string queue, int count, Func<OutgoingMessage> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await Publish(queue, next());
        }
        await Flush();
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await channel.CloseAsync();
        await channel.DisposeAsync();
        inFlight.Dispose();
    }
}
