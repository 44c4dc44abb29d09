using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Milestones.Worker.IntegrationTests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>
/// A virtual host of its own set up by deploy/rabbitmq/broker-permissions.sh, as an operator would: the worker's user,
/// two publishers and a subscriber, each with a random password given to the script through the environment. Users are
/// broker-wide, so their names carry an id of this fixture; they are deleted at the end, with the virtual host. The
/// worker runs in process as its own user, in Production, without the default-credentials opt-out.
/// </summary>
public sealed class ScriptedBroker : IAsyncLifetime
{
    readonly string id = Guid.NewGuid().ToString("N")[..8];
    readonly Dictionary<string, string> passwords = [];
    readonly SemaphoreSlim gate = new(1, 1);
    bool usersCreated;
    InProcessWorker? worker;

    public ScriptedBroker()
    {
        foreach (var user in Users)
        {
            passwords[user] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        }
    }

    public static string Script => Path.Combine(Paths.Repository, "deploy", "rabbitmq", "broker-permissions.sh");

    public TestVirtualHost VirtualHost { get; } = new();

    public string WorkerUser => $"milestones-worker-{id}";

    /// <summary>A publisher: catalog source ids, made unique on the shared broker.</summary>
    public string Publisher => $"metro-operator-{id}";

    public string OtherPublisher => $"lize-pmo-{id}";

    public string Subscriber => $"dashboard-{id}";

    IEnumerable<string> Users => [WorkerUser, Publisher, OtherPublisher, Subscriber];

    public string Password(string user) => passwords[user];

    public async ValueTask InitializeAsync()
    {
        await VirtualHost.InitializeAsync();
        if (BrokerEnvironment.Current?.Ctl is null)
        {
            return;   // each test skips or fails with the reason
        }
        usersCreated = true;
        var result = await RunScript(
            ["--vhost", VirtualHost.Name, "--worker-user", WorkerUser, "--publishers", $"{Publisher} {OtherPublisher}", "--subscribers", Subscriber],
            passwords);
        Assert.True(result.ExitCode == 0, $"broker-permissions.sh failed: {result}");
    }

    /// <summary>Runs the script against the test broker, with these passwords in its environment.</summary>
    public static async Task<ScriptResult> RunScript(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> passwords)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("MILESTONES_BROKER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }
        start.Environment["RABBITMQCTL"] = BrokerEnvironment.Current?.Ctl ?? "false";
        foreach (var (user, password) in passwords)
        {
            start.Environment[PasswordVariable(user)] = password;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The variable the script reads a user's password from (documented in the script).</summary>
    public static string PasswordVariable(string user) =>
        "MILESTONES_BROKER_PASSWORD_" + string.Concat(user.ToUpperInvariant().Select(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? c : '_'));

    /// <summary>The worker, in process, connected as its own user; started on first use.</summary>
    /// <summary>
    /// The shipped catalog with this run's publisher users as its sources (<c>metro-operator-{id}</c> for
    /// <c>metro-operator</c>, …): the worker authorizes a message by its broker user, and these users are made unique
    /// per test so that classes running side by side do not share broker-global users.
    /// </summary>
    string CatalogWithTheseUsers()
    {
        var catalog = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.WorkerDirectory, "catalog", "fengtai-2023.json")))!;
        foreach (var source in catalog["sources"]!.AsArray())
        {
            source!["id"] = $"{source["id"]!.GetValue<string>()}-{id}";
        }
        var path = Path.Combine(Path.GetTempPath(), $"milestones-catalog-{id}.json");
        File.WriteAllText(path, catalog.ToJsonString());
        return path;
    }

    public async Task<InProcessWorker> Worker()
    {
        BrokerEnvironment.Require();
        await gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return worker ??= await InProcessWorker.Start(VirtualHost, settings:
            [
                new("RabbitMqTransport:User", WorkerUser),
                new("RabbitMqTransport:Pass", Password(WorkerUser)),
                new("Messaging:AllowDefaultBrokerCredentials", "false"),
                new("Catalog:Path", CatalogWithTheseUsers()),
            ]);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>An AMQP connection (RabbitMQ.Client) as one of the users.</summary>
    public Task<IConnection> Connect(string user) => new ConnectionFactory
    {
        HostName = TestVirtualHost.Broker.Host,
        Port = TestVirtualHost.Broker.Port,
        UserName = user,
        Password = Password(user),
        VirtualHost = VirtualHost.VHost,
        ClientProvidedName = $"permissions-test/{user}",
    }.CreateConnectionAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (worker is not null)
        {
            await worker.DisposeAsync();
        }
        if (usersCreated)
        {
            foreach (var user in Users)
            {
                try
                {
                    await TestVirtualHost.Ctl("delete_user", user);
                }
                catch (InvalidOperationException)
                {
                    // Never created (the script failed), or the broker is gone: reported by the tests.
                }
            }
        }
        await VirtualHost.DisposeAsync();
        gate.Dispose();
    }
}

public sealed record ScriptResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Error}";
}

/// <summary>What the broker answered to an AMQP operation: the channel's close reason, or null when it was allowed.</summary>
public static class Amqp
{
    public const ushort AccessRefused = 403;
    public const ushort PreconditionFailed = 406;

    /// <summary>
    /// Runs <paramref name="operation"/> on a channel of its own (with publisher confirms) and returns the reply code and
    /// text the broker closed the channel with, or null if the operation succeeded and the channel stayed open.
    /// </summary>
    public static async Task<ShutdownEventArgs?> Refusal(IConnection connection, Func<IChannel, Task> operation)
    {
        var token = TestContext.Current.CancellationToken;
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), token);
        try
        {
            await operation(channel);
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or PublishException)
        {
            // The broker's answer is the channel's close reason, read below.
        }
        // A refused publish closes the channel asynchronously: give the close a moment to arrive.
        for (var i = 0; i < 40 && channel.IsOpen; i++)
        {
            await Task.Delay(50, token);
        }
        return channel.IsOpen ? null : channel.CloseReason;
    }

    public static void AssertRefused(ShutdownEventArgs? refusal, ushort code, string text)
    {
        Assert.NotNull(refusal);
        Assert.True(refusal.ReplyCode == code, $"expected {code}, the broker said {refusal.ReplyCode} {refusal.ReplyText}");
        Assert.Contains(text, refusal.ReplyText, StringComparison.Ordinal);
    }

    /// <summary>RabbitMQ's refusal of an operation on a resource, for a user (3.10 does not say which permission was missing).</summary>
    public static void AssertAccessRefused(ShutdownEventArgs? refusal, string resource, string user)
    {
        AssertRefused(refusal, AccessRefused, $"ACCESS_REFUSED - access to {resource} in vhost");
        Assert.Contains($"refused for user '{user}'", refusal!.ReplyText, StringComparison.Ordinal);
    }

    public static ValueTask Publish(IChannel channel, string exchange, string? userId, string body = "{}") =>
        channel.BasicPublishAsync(exchange, string.Empty, mandatory: false,
            new BasicProperties { ContentType = "application/json", Persistent = true, UserId = userId }, Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken);
}

[CollectionDefinition(Name)]
public sealed class ScriptedBrokerGroup : ICollectionFixture<ScriptedBroker>
{
    public const string Name = "broker permissions set up by the script";
}
