using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.IntegrationTests.Permissions;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.Operations;

/// <summary>
/// The ops user that <c>deploy/rabbitmq/broker-permissions.sh --ops-user</c> creates is enough for the <c>errors</c>
/// commands (run here as a separate process, as on a pod) and no more: it declares nothing and reads no input queue.
/// </summary>
public sealed class The_ops_user
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lists_and_redrives_as_a_process_and_may_do_nothing_else()
    {
        BrokerEnvironment.RequireControl();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        using var directory = Paths.NewTempDirectory();
        var id = Guid.NewGuid().ToString("N")[..8];
        string worker = $"milestones-worker-{id}", publisher = $"lize-pmo-{id}", ops = $"milestones-ops-{id}";
        var passwords = new Dictionary<string, string> { [worker] = "w-" + id, [publisher] = "p-" + id, [ops] = "o-" + id };
        try
        {
            var script = await ScriptedBroker.RunScript(["--vhost", vhost.VHost, "--worker-user", worker, "--publishers", publisher, "--ops-user", ops], passwords);
            Assert.True(script.ExitCode == 0, script.ToString());
            Assert.Contains("impersonator", await TestVirtualHost.Ctl("-q", "list_users"), StringComparison.Ordinal);
            var refused = Events.Valid("no-such-project");
            await using (var running = await InProcessWorker.Start(vhost))
            {
                await using var client = await RabbitClient.Connect(vhost);
                await client.PublishJson(WireNames.MilestoneReachedExchange, refused);
                await Poll.Until(async () => (await vhost.QueueCounts(Queues.Error)).Ready == 1, TimeSpan.FromSeconds(30), () => "the refused event never reached the error queue");
            }
            var settings = vhost.TransportSettings().Concat(OpsCli.StoreSettings(directory.File("cli.db")))
                .Concat([new("Ops:BrokerUser", ops), new("Ops:BrokerPass", passwords[ops])]).ToList();

            var listed = await OpsCli.RunProcess(settings, "errors", "list", "--json");

            Assert.Equal(0, listed.ExitCode);
            var message = Assert.Single(listed.Messages(Queues.Error));
            Assert.Equal(refused.EventId, message.GetProperty("eventId").GetGuid());
            Assert.Equal("unknown-project", message.GetProperty("reason").GetString());

            var redriven = await OpsCli.RunProcess(settings, "errors", "redrive", "--event-id", refused.EventId.ToString());
            Assert.Equal(0, redriven.ExitCode);
            Assert.Contains("1 of 1 message(s) sent back", redriven.Output, StringComparison.Ordinal);
            await Poll.Until(async () => (await vhost.QueueCounts(Queues.Input)).Ready == 1, TimeSpan.FromSeconds(30), () => "the redriven message never reached the input queue");

            await using var connection = await new ConnectionFactory
            {
                HostName = TestVirtualHost.Broker.Host, Port = TestVirtualHost.Broker.Port, VirtualHost = vhost.VHost, UserName = ops, Password = passwords[ops],
            }.CreateConnectionAsync(Cancel);
            Amqp.AssertAccessRefused(await Amqp.Refusal(connection, c => c.QueueDeclareAsync($"{ops}.mine", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel)),
                $"queue '{ops}.mine'", ops);
            Amqp.AssertAccessRefused(await Amqp.Refusal(connection, c => c.BasicGetAsync(Queues.Input, autoAck: false, Cancel)), $"queue '{Queues.Input}'", ops);
        }
        finally
        {
            foreach (var user in passwords.Keys)
            {
                try
                {
                    await TestVirtualHost.Ctl("delete_user", user);
                }
                catch (InvalidOperationException)
                {
                    // Never created: the script's failure is the test's.
                }
            }
        }
    }
}
