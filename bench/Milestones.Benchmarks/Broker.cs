using System.Globalization;
using System.Text;
using Milestones.Contracts;
using RabbitMQ.Client;

namespace Milestones.Benchmarks;

/// <summary>The broker of the run: the one the test command's variables name (tests/run.sh, tests/rabbitmq.sh).</summary>
public sealed record Broker(string Host, int Port, string User, string Pass)
{
    public static Broker? FromEnvironment()
    {
        var host = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_HOST");
        var port = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            return null;
        }
        return new Broker(
            host,
            int.Parse(port, CultureInfo.InvariantCulture),
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_USER") ?? "guest",
            Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_PASS") ?? "guest");
    }

    public Task<IConnection> Connect(string name) => new ConnectionFactory
    {
        HostName = Host,
        Port = Port,
        UserName = User,
        Password = Pass,
        ClientProvidedName = name,
    }.CreateConnectionAsync();

    /// <summary>The broker's version, from the connection's server properties.</summary>
    public static string ServerVersion(IConnection connection) =>
        connection.ServerProperties is { } properties && properties.TryGetValue("version", out var version) && version is byte[] bytes
            ? Encoding.UTF8.GetString(bytes)
            : "?";

    /// <summary>A durable queue of the given type, as MassTransit declares one (no other arguments).</summary>
    public static async Task DeclareQueue(IChannel channel, string queue, QueueType type)
    {
        var arguments = new Dictionary<string, object?>();
        if (type == QueueType.Quorum)
        {
            arguments["x-queue-type"] = "quorum";
        }
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
    }

    /// <summary>
    /// Binds <paramref name="queue"/> (declared by the caller) to the worker's output exchanges, ProjectCompleted and
    /// ProjectReopened, declared as the worker's publish topology declares them (fanout, durable). The worker publishes
    /// them <c>mandatory</c>: with no queue bound, the broker returns each one and it stays pending in the outbox,
    /// retried every lease with a warning. A bound subscriber, as in production, lets the outbox drain.
    /// </summary>
    public static async Task BindToWorkerOutputs(IChannel channel, string queue)
    {
        ArgumentNullException.ThrowIfNull(channel);
        foreach (var exchange in new[] { WireNames.ProjectCompletedExchange, WireNames.ProjectReopenedExchange })
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, string.Empty);
        }
    }

    /// <summary>Deletes queues and exchanges of these names; missing ones are fine (RabbitMQ treats the delete as done).</summary>
    public static async Task Delete(IConnection connection, params string[] names)
    {
        await using var channel = await connection.CreateChannelAsync();
        foreach (var name in names)
        {
            await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false);
            await channel.ExchangeDeleteAsync(name, ifUnused: false);
        }
    }

    /// <summary>Ready messages and consumers of a queue, or null if it does not exist.</summary>
    public static async Task<QueueDeclareOk?> Inspect(IConnection connection, string queue)
    {
        // A failed passive declare closes its channel: use a throwaway one.
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }
}
