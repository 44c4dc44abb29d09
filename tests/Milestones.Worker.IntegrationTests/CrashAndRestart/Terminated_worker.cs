using System.Diagnostics;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// Graceful shutdown: SIGTERM while events are arriving and being processed. The worker stops consuming (messages in
/// flight finish, prefetched ones go back to the broker), then empties the outbox, and exits 0 within its shutdown
/// timeout (Messaging:StopTimeout 10 s here, plus the flush's 8 s, plus 10 s for the rest); a restarted worker takes
/// over the rest. Guards the order of the stop: were the consumers stopped after the flush, as the bus's own stop
/// does, they would go on committing during and after it, and their outbox entries would wait for the restart.
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Terminated_worker(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(28);

    [Fact]
    public async Task Sigterm_stops_cleanly_and_a_restart_finishes_the_stream()
    {
        await Connect();
        var events = Events.Stream(30_000);   // enough that some are still in flight at SIGTERM (128 are consumed at once), with the flush of the outbox meanwhile
        // A flush long enough for whatever the dispatcher is behind by, so that the test is about the order of the stop.
        var first = StartWorker("worker (terminated)", new Dictionary<string, string> { ["Outbox__StopFlushTimeout"] = "00:00:08" });
        await first.WaitUntilReady();
        Mark("ready");
        // SIGTERM lands while the stream is still arriving: awaited whole first, a loaded machine's publisher can be
        // slower than the worker, which then has consumed everything before the signal.
        var publishing = Publish(events);
        await WaitForEvents(200, TimeSpan.FromSeconds(60));

        var stopping = Stopwatch.StartNew();
        await first.Terminate();
        Assert.True(await first.WaitForExit(ShutdownTimeout + TimeSpan.FromSeconds(5)), $"the worker did not exit within {ShutdownTimeout.TotalSeconds} s of SIGTERM");
        await publishing;
        Mark($"exited {first.ExitCode} after {stopping.Elapsed.TotalSeconds:0.0} s with {Store.CountEvents()} events recorded");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Application is shutting down", first.Output, StringComparison.Ordinal);

        // Stopped consuming: nothing held by a consumer, nothing lost, every completion it committed published.
        // (The broker's queue statistics lag a moment behind a closed channel: poll.)
        (long Ready, long Unacked) input = default, quarantine = default;
        await Poll.Until(async () =>
            {
                var counts = await VirtualHost.AllQueueCounts();
                input = counts[Queues.Input];
                quarantine = counts[Queues.Quarantine];
                return input.Unacked + quarantine.Unacked == 0 && Store.CountEvents() + input.Ready + quarantine.Ready >= events.Count;
            },
            TimeSpan.FromSeconds(15),
            () => $"after the stop: {Store.CountEvents()} recorded, input {input}, quarantine {quarantine} (ready, unacked) of {events.Count}");
        Assert.True(Store.CountEvents() < events.Count, "the worker had consumed everything before SIGTERM: nothing was in flight to return");
        // Everything it committed was published before it exited: completions, and each recorded event's feed entry.
        Assert.Equal(0, Store.PendingOutbox());
        Assert.Equal(Store.CompletionEntries(), (await Completions()).Count);

        var second = StartWorker("worker (restarted)");
        await second.WaitUntilReady();
        await AssertEverythingAppliedOnce(events, TimeSpan.FromSeconds(90));
    }
}
