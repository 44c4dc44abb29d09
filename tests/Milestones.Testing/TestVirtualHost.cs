using System.Diagnostics;
using RabbitMQ.Client;

namespace Milestones.Testing;

/// <summary>
/// A virtual host of its own for one test class, so that classes running side by side never see each other's
/// exchanges, queues or messages on the shared test broker. Deleted, with everything in it, at the end.
/// </summary>
public sealed class TestVirtualHost : IAsyncLifetime
{
    bool created;

    public string Name { get; } = $"test-{Guid.NewGuid():N}"[..17];

    public static BrokerEnvironment Broker => BrokerEnvironment.Require();

    public async ValueTask InitializeAsync()
    {
        // Without a broker nothing is created; each test then skips (or fails) with the reason itself.
        if (BrokerEnvironment.Current?.Ctl is null)
        {
            return;
        }
        await Ctl("add_vhost", Name);
        await Ctl("set_permissions", "-p", Name, BrokerEnvironment.Current.User, ".*", ".*", ".*");
        created = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (created)
        {
            try
            {
                await Ctl("delete_vhost", Name);
            }
            catch (InvalidOperationException)
            {
                // A broker stopped by a test and not restarted is reported by that test, not here.
            }
        }
    }

    /// <summary>The virtual host for connection strings: its own when the broker can be administered, else the default.</summary>
    public string VHost => created ? Name : "/";

    public ConnectionFactory ConnectionFactory() => new()
    {
        HostName = Broker.Host,
        Port = Broker.Port,
        UserName = Broker.User,
        Password = Broker.Pass,
        VirtualHost = VHost,
        ClientProvidedName = "milestones-tests",
    };

    /// <summary>A plain AMQP connection (RabbitMQ.Client, no MassTransit) to this virtual host, as a non-.NET publisher has.</summary>
    public Task<IConnection> Connect() => ConnectionFactory().CreateConnectionAsync(TestContext.Current.CancellationToken);

    /// <summary>The worker's configuration for this broker and virtual host.</summary>
    public IEnumerable<KeyValuePair<string, string?>> TransportSettings() =>
    [
        new("Messaging:Transport", "RabbitMq"),
        new("RabbitMqTransport:Host", Broker.Host),
        new("RabbitMqTransport:Port", Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RabbitMqTransport:VHost", VHost),
        new("RabbitMqTransport:User", Broker.User),
        new("RabbitMqTransport:Pass", Broker.Pass),
        // The test broker's guest user, which Production refuses unless told (the Permissions tests use real users).
        new("Messaging:AllowDefaultBrokerCredentials", "true"),
        // The test broker's plaintext AMQP port, which Production refuses unless told (the TLS tests open TLS listeners).
        new("Security:AllowInsecureTransport", "true"),
    ];

    /// <summary>Ready and unacknowledged messages of a queue, as the broker counts them.</summary>
    public async Task<(long Ready, long Unacked)> QueueCounts(string queue) =>
        (await AllQueueCounts()).TryGetValue(queue, out var counts) ? counts : throw new InvalidOperationException($"Queue {queue} not found in virtual host {VHost}");

    /// <summary>Ready and unacknowledged messages of every queue of the virtual host, in one rabbitmqctl call.</summary>
    public async Task<IReadOnlyDictionary<string, (long Ready, long Unacked)>> AllQueueCounts()
    {
        var output = await Ctl("-q", "list_queues", "-p", VHost, "--no-table-headers", "name", "messages_ready", "messages_unacknowledged");
        var result = new Dictionary<string, (long, long)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length == 3)
            {
                result[parts[0]] = (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return result;
    }

    public static Task<string> Ctl(params string[] arguments) =>
        Run(BrokerEnvironment.Current?.Ctl ?? throw new InvalidOperationException("MILESTONES_TEST_RABBITMQ_CTL is not set"), arguments);

    public static async Task<string> Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }
}
