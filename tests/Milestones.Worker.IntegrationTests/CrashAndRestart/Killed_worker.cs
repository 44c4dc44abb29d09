using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// `kill -9` the worker process in the middle of 1 000 events, start it again on the same store: every
/// event is applied exactly once, one ProjectCompleted message id per completion, nothing left unacknowledged.
/// Guards acknowledging only after the durable commit (an early ack loses the events in flight), the unique event
/// id (a redelivered event is not recorded twice), the outbox with its lease (a completion committed but not yet
/// published is published after the restart) and the deterministic message id (a repeated publish has the same id).
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Killed_worker(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    [Fact]
    public async Task Restarted_worker_applies_every_event_exactly_once()
    {
        await Connect();
        var events = Events.Stream(10_000);   // enough that the kill lands mid-stream: 128 are consumed at once
        var first = StartWorker("worker (killed)");
        await first.WaitUntilReady();
        Mark("ready");

        // The kill lands while the stream is still arriving: awaited whole first, a loaded machine's publisher can be
        // slower than the worker, which then has consumed everything before the kill.
        var publishing = Publish(events);
        await WaitForEvents(300, TimeSpan.FromSeconds(60));
        await first.Kill();
        Mark("killed");
        await publishing;
        var atKill = Store.CountEvents();
        TestContext.Current.TestOutputHelper?.WriteLine($"killed with {atKill} of {events.Count} events recorded");
        Assert.InRange(atKill, 1, events.Count - 1);

        var second = StartWorker("worker (restarted)");
        await second.WaitUntilReady();
        Mark("ready");
        await AssertEverythingAppliedOnce(events, TimeSpan.FromSeconds(90));
    }
}
