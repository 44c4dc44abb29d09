using System.Net;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// The broker stops in the middle of a stream and comes back. The worker stays alive, says it is not
/// ready (503) while the broker is gone and ready (200) again after, reconnects by itself, and nothing is lost.
/// Guards the readiness mapping of MassTransit's Degraded to 503 and the transport's reconnect, and the outbox's
/// retry of a completion whose publish failed while the broker was away.
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Broker_restart(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    [Fact]
    public async Task Worker_reconnects_and_loses_nothing()
    {
        await Connect();
        var broker = BrokerEnvironment.RequireControl();
        var events = Events.Stream(600);
        var worker = StartWorker("worker");
        await worker.WaitUntilReady();
        await Publish(events.Take(400));
        await WaitForEvents(100, TimeSpan.FromSeconds(60));

        Mark("stopping the broker");
        try
        {
            await TestVirtualHost.Run(broker.Stop!);
            Mark("broker stopped");
            await Poll.Until(async () => await worker.Ready() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30),
                () => "/health/ready did not answer 503 with the broker gone");
            Assert.Equal(HttpStatusCode.OK, await worker.Live());
            Assert.False(worker.HasExited);
            Mark("not ready, alive");
        }
        finally
        {
            await TestVirtualHost.Run(broker.Start!);
            Mark("broker started");
        }

        await worker.WaitUntilReady(TimeSpan.FromSeconds(90));
        Mark("ready again");
        await Client.Reconnect();
        await Publish(events.Skip(400));
        await AssertEverythingAppliedOnce(events, TimeSpan.FromSeconds(90));
    }
}
