using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;

namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>
/// The test broker that tests/run.sh starts (MILESTONES_TEST_RABBITMQ_*), with a virtual host of its own for one test
/// class, so that classes of other test projects running at the same time never see its messages. Without the broker a
/// test skips with the reason, unless MILESTONES_REQUIRE_BROKER=1, where it fails.
/// </summary>
public sealed class TestBroker : IAsyncLifetime
{
    static readonly string? Port = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_PORT");
    static readonly string? Ctl = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_CTL");

    bool created;

    public string Host { get; } = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_HOST") is { Length: > 0 } host ? host : "127.0.0.1";
    public string User { get; } = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_USER") is { Length: > 0 } user ? user : "guest";
    public string Pass { get; } = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_PASS") is { Length: > 0 } pass ? pass : "guest";

    /// <summary>Its own virtual host when the broker can be administered (rabbitmqctl), else the default one.</summary>
    public string VirtualHost => created ? name : "/";

    readonly string name = $"telemetry-{Guid.NewGuid():N}"[..20];

    /// <summary>Skips (or, with MILESTONES_REQUIRE_BROKER=1, fails) the calling test when there is no test broker.</summary>
    public static void Require()
    {
        if (!string.IsNullOrWhiteSpace(Port))
        {
            return;
        }
        const string why = "No test broker: MILESTONES_TEST_RABBITMQ_PORT is not set. Run tests/run.sh, which starts a private RabbitMQ and sets it.";
        if (Environment.GetEnvironmentVariable("MILESTONES_REQUIRE_BROKER") == "1")
        {
            Assert.Fail(why + " MILESTONES_REQUIRE_BROKER=1, so a missing broker is a failure.");
        }
        Assert.Skip(why);
    }

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(Port) || string.IsNullOrWhiteSpace(Ctl))
        {
            return;
        }
        await Run(Ctl, "add_vhost", name);
        await Run(Ctl, "set_permissions", "-p", name, User, ".*", ".*", ".*");
        created = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (created)
        {
            await Run(Ctl!, "delete_vhost", name);
        }
    }

    /// <summary>The worker's transport settings for this broker and virtual host.</summary>
    public Dictionary<string, string?> TransportSettings() => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["RabbitMqTransport:Host"] = Host,
        ["RabbitMqTransport:Port"] = Port,
        ["RabbitMqTransport:VHost"] = VirtualHost,
        ["RabbitMqTransport:User"] = User,
        ["RabbitMqTransport:Pass"] = Pass,
        // The test broker's guest user, which Production refuses unless told.
        ["Messaging:AllowDefaultBrokerCredentials"] = "true",
        // The test broker's plaintext AMQP port, which Production refuses unless told.
        ["Security:AllowInsecureTransport"] = "true",
    };

    /// <summary>A plain AMQP connection (RabbitMQ.Client, no MassTransit), as a non-.NET publisher has.</summary>
    public Task<IConnection> Connect() => new ConnectionFactory
    {
        HostName = Host,
        Port = int.Parse(Port!, CultureInfo.InvariantCulture),
        UserName = User,
        Password = Pass,
        VirtualHost = VirtualHost,
        ClientProvidedName = "milestones-telemetry-tests",
    }.CreateConnectionAsync(TestContext.Current.CancellationToken);

    static async Task Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
    }
}
