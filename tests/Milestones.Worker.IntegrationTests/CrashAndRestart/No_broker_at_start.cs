using System.Net;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// The production configuration with no broker reachable is not a crash and not a silent fallback: the
/// process stays up, live (200) and not ready (503), and becomes ready when the broker appears. Guards the bus not
/// being awaited at start (MassTransitHostOptions.WaitUntilStarted=false: otherwise the probes never answer) and
/// readiness failing while the bus is not connected.
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class No_broker_at_start(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    [Fact]
    public async Task Worker_is_live_not_ready_then_ready_when_the_broker_appears()
    {
        await Connect();
        var broker = BrokerEnvironment.Require();
        var port = FreePort.Next();
        var worker = StartWorker("worker", new Dictionary<string, string> { ["RabbitMqTransport__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        await Poll.Until(async () => await worker.Live() == HttpStatusCode.OK && await worker.Ready() == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), () => "the worker without a broker was not live-and-not-ready");
        Mark("live, not ready");
        // Still there, still not ready, a few probes later.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(400), TestContext.Current.CancellationToken);
            Assert.False(worker.HasExited, worker.Output);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await worker.Ready());
        }

        await using var proxy = TcpProxy.Start(port, broker.Host, broker.Port);
        Mark("broker appears");
        await worker.WaitUntilReady(TimeSpan.FromSeconds(90));
        Mark("ready");

        var e = Events.Valid();
        await Client.PublishJson(Queues.InputExchange, e, e.EventId.ToString());
        await Poll.Until(() => Store.HasEvent(e.EventId), TimeSpan.FromSeconds(20), () => "the worker did not consume once the broker appeared");
    }
}
