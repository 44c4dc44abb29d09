using System.Diagnostics;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// Graceful shutdown: SIGTERM while events are being processed. The worker stops consuming, finishes or
/// returns what it holds, flushes the outbox, and exits 0 within its shutdown timeout (Messaging:StopTimeout 10 s
/// here, host shutdown timeout 10 s more); a restarted worker takes over the rest. Guards the bus stop timeout
/// inside the host's shutdown timeout and the outbox dispatcher's flush on stop (a completion committed just
/// before the stop is published before the process ends, not left pending).
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Terminated_worker(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sigterm_stops_cleanly_and_a_restart_finishes_the_stream()
    {
        await Connect();
        var events = Events.Stream(30_000);   // enough that some are still in flight at SIGTERM (128 are consumed at once), with the flush of the outbox meanwhile
        var first = StartWorker("worker (terminated)");
        await first.WaitUntilReady();
        Mark("ready");
        await Publish(events);
        await WaitForEvents(200, TimeSpan.FromSeconds(60));

        var stopping = Stopwatch.StartNew();
        await first.Terminate();
        Assert.True(await first.WaitForExit(ShutdownTimeout + TimeSpan.FromSeconds(5)), $"the worker did not exit within {ShutdownTimeout.TotalSeconds} s of SIGTERM");
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
        // Every completion it committed was published before it exited; feed entries may still wait for the restart.
        Assert.Equal(0, Store.PendingAnnouncements());
        Assert.Equal(Store.CompletionEntries(), (await Completions()).Count);

        var second = StartWorker("worker (restarted)");
        await second.WaitUntilReady();
        await AssertEverythingAppliedOnce(events, TimeSpan.FromSeconds(90));
    }
}
