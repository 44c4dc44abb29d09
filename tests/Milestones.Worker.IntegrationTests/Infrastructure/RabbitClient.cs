using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>A plain AMQP client (RabbitMQ.Client, no MassTransit): publishes as a non-.NET system would and reads queues.</summary>
public sealed class RabbitClient : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly ConnectionFactory factory;
    readonly Dictionary<string, List<ReceivedMessage>> seen = [];
    IConnection connection = null!;
    IChannel channel = null!;

    RabbitClient(ConnectionFactory factory) => this.factory = factory;

    public static async Task<RabbitClient> Connect(TestVirtualHost vhost)
    {
        var client = new RabbitClient(vhost.ConnectionFactory());
        await client.Reconnect();
        return client;
    }

    /// <summary>A new connection and channel: after the broker closed them (a restart, a connection-level error).</summary>
    public async Task Reconnect()
    {
        if (connection is not null)
        {
            await DisposeAsync();
        }
        connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Publishes a body with the properties a non-.NET publisher sets, as the upstream source <paramref name="userId"/>
    /// (the AMQP user_id the worker takes the source from; null: none); returns once the broker confirmed it.
    /// </summary>
    public async Task Publish(string exchange, byte[] body, string? messageId = null, string contentType = "application/json",
        IDictionary<string, object?>? headers = null, string routingKey = "", string? userId = Events.Source)
    {
        var properties = new BasicProperties
        {
            ContentType = contentType,
            MessageId = messageId,
            Persistent = true,
            Headers = headers,
            UserId = userId,
        };
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body, TestContext.Current.CancellationToken);
    }

    public Task PublishJson<T>(string exchange, T message, string? messageId = null, IDictionary<string, object?>? headers = null,
        string? userId = Events.Source) =>
        Publish(exchange, JsonSerializer.SerializeToUtf8Bytes(message, Json), messageId, headers: headers, userId: userId);

    /// <summary>Declares a durable fanout exchange (as MassTransit does) and a durable queue bound to it.</summary>
    public async Task Subscribe(string exchange, string queue)
    {
        var token = TestContext.Current.CancellationToken;
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: token);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: token);
        await channel.QueueBindAsync(queue, exchange, string.Empty, cancellationToken: token);
    }

    /// <summary>What <see cref="Drain"/> has taken from the queue so far.</summary>
    public IReadOnlyList<ReceivedMessage> Seen(string queue) => seen.TryGetValue(queue, out var list) ? list : [];

    /// <summary>Takes every message now in the queue (acknowledged: the queue is emptied), adding them to what was seen before.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> Drain(string queue)
    {
        if (!seen.TryGetValue(queue, out var list))
        {
            seen[queue] = list = [];
        }
        if (!await Exists(queue))
        {
            return list;
        }
        try
        {
            while (await channel.BasicGetAsync(queue, autoAck: true, TestContext.Current.CancellationToken) is { } result)
            {
                list.Add(new ReceivedMessage(result.Body.ToArray(), result.BasicProperties, result.Redelivered));
            }
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) when (!channel.IsOpen)
        {
            // A quorum queue just declared may not have its process up yet ("noproc"): the broker closes the
            // channel or the connection. Open new ones and let the caller's next poll try again.
            await Reconnect();
        }
        return list;
    }

    /// <summary>Waits until a message matching <paramref name="match"/> has been taken from the queue.</summary>
    public async Task<ReceivedMessage> WaitFor(string queue, Func<ReceivedMessage, bool> match, TimeSpan? timeout = null)
    {
        ReceivedMessage? found = null;
        await Poll.Until(async () => (found = (await Drain(queue)).FirstOrDefault(match)) is not null, timeout ?? TimeSpan.FromSeconds(30),
            () => $"no matching message in {queue}; it had {seen.GetValueOrDefault(queue)?.Count ?? 0}");
        return found!;
    }

    public async Task<bool> Exists(string queue)
    {
        // A passive declare of a missing queue closes the channel, so ask on a channel of its own.
        await using var probe = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            await probe.QueueDeclarePassiveAsync(queue, TestContext.Current.CancellationToken);
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
        catch (RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // Closed by the broker already.
        }
    }
}

/// <summary>A message taken from a queue.</summary>
public sealed record ReceivedMessage(byte[] Body, IReadOnlyBasicProperties Properties, bool Redelivered)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>A header as text (AMQP carries string headers as bytes), or null.</summary>
    public string? Header(string name) =>
        Properties.Headers is { } headers && headers.TryGetValue(name, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => null,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            }
            : null;

    public JsonElement JsonBody => JsonDocument.Parse(Body).RootElement;
}

public static class JsonValues
{
    /// <summary>
    /// A decimal as a subscriber reads it: MassTransit's envelope writes <c>decimal</c> properties as JSON strings
    /// (<c>"2037"</c>), a plain JSON publisher as numbers; both are the same value.
    /// </summary>
    public static decimal AsDecimal(this JsonElement element) =>
        element.ValueKind == JsonValueKind.String
            ? decimal.Parse(element.GetString()!, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture)
            : element.GetDecimal();
}
