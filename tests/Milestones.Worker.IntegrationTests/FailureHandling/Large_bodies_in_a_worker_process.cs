using System.Globalization;
using System.Text;
using System.Text.Json;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// The worker as an OS process keeps its memory while it refuses a stream of 10 MB bodies as too-large: each is
/// looked at once (its length) and moved to the error queue, never deserialized or buffered again. Guards
/// MessageSizeFilter's place in front of deserialization and RabbitMqTopology.ClientMaxMessageBodySize (below it the
/// client would close the connection on every such body instead).
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Large_bodies_in_a_worker_process(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    const int Size = 10 * 1024 * 1024;
    const int WarmUp = 10;
    const int Measured = 20;

    [Fact]
    public async Task Twenty_10_MB_bodies_are_refused_as_too_large_while_the_resident_memory_stays_flat()
    {
        await Connect();
        var worker = StartWorker("worker");
        await worker.WaitUntilReady();

        // A warm-up, so that what is measured is the steady state and not the first use of the code and the pools.
        await PublishLarge(WarmUp);
        await WaitForErrors(WarmUp);
        var before = ResidentBytes(worker.Id);
        Mark($"resident after {WarmUp} warm-up bodies: {before / 1024 / 1024} MiB");

        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentBytes(worker.Id));
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        for (var done = 0; done < Measured; done += 5)
        {
            await PublishLarge(5);
            await WaitForErrors(WarmUp + done + 5);
            Mark($"resident after {WarmUp + done + 5} bodies: {ResidentBytes(worker.Id) / 1024 / 1024} MiB");
        }
        var good = Events.Valid();
        await Client.PublishJson(Queues.InputExchange, good, good.EventId.ToString());
        await Poll.Until(() => Store.CountEvents([good.EventId]) == 1, TimeSpan.FromSeconds(30), () => "the valid event after the large ones was not applied");
        await sampling.CancelAsync();
        await sampler;
        var after = ResidentBytes(worker.Id);
        Mark($"resident after {Measured} more: {after / 1024 / 1024} MiB (peak {peak / 1024 / 1024} MiB)");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"RSS before {before / 1024 / 1024} MiB, after {after / 1024 / 1024} MiB, peak {peak / 1024 / 1024} MiB while {Measured} x {Size / 1024 / 1024} MiB were refused");

        var errors = await Client.Drain(Queues.Error);
        Assert.Equal(WarmUp + Measured, errors.Count);
        Assert.All(errors, e => Assert.Equal(MilestonesHeaders.TooLarge, e.Header(MilestonesHeaders.RejectionReason)));
        Assert.All(errors, e => Assert.Equal(typeof(MessageTooLargeException).FullName, e.Header("MT-Fault-ExceptionType")));
        // The 200 MiB refused are not kept: what remains is garbage the GC has not yet collected (MassTransit copies
        // each body out of the client's buffer). Measured on a 2-core machine: the resident size moves between the
        // start and about 90 MiB above it, without a trend, over 50 such bodies; held bodies would add 10 MiB each.
        Assert.True(after - before < 100L * 1024 * 1024, $"resident memory grew by {(after - before) / 1024 / 1024} MiB");
        Assert.True(peak - before < 128L * 1024 * 1024, $"resident memory peaked {(peak - before) / 1024 / 1024} MiB above the start");
    }

    async Task PublishLarge(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Events.Valid(note: new string('x', Size)), Json));
            await Client.Publish(Queues.InputExchange, body, messageId: Guid.NewGuid().ToString());
        }
        Mark($"published {count} bodies of {Size / 1024 / 1024} MiB");
    }

    Task WaitForErrors(int count) =>
        Poll.Until(async () => await VirtualHost.QueueCounts(Queues.Error) is var (ready, _) && ready >= count, TimeSpan.FromSeconds(120),
            () => $"fewer than {count} messages in {Queues.Error}");

    static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
