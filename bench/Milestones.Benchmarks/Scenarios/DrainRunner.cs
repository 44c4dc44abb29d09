using RabbitMQ.Client;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>Runs one drain: fresh queue, pre-filled with confirmed publishes, consumed until the last message is done.</summary>
public static class DrainRunner
{
    /// <summary>No progress for this long fails the drain.</summary>
    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(120);

    public static async Task<DrainResult> Run(IDrainScenario scenario, IConnection admin, QueueType type, int count, int prefetch, Workload workload)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(workload);
        await Broker.Delete(admin, scenario.Entities);
        try
        {
            await scenario.Prepare(type, prefetch);
            double fillRate;
            await using (var publisher = await Publisher.Create(admin))
            {
                fillRate = await publisher.Fill(scenario.Queue, count, workload.Next);
            }
            var filled = await Broker.Inspect(admin, scenario.Queue);
            if (filled?.MessageCount != count)
            {
                throw new InvalidOperationException($"{scenario.Queue} holds {filled?.MessageCount} messages after the fill, expected {count}");
            }

            var clock = new DrainClock(count, scenario.ConsumerCpu, Cpu.Broker());
            await scenario.Start(clock, prefetch);
            await clock.Wait(Stall, scenario.Diagnose);
            if (await scenario.Verify(count) is { } problem)
            {
                throw new InvalidOperationException($"{scenario.Name}: {problem}");
            }
            return new DrainResult(clock.Rate, clock.Seconds, fillRate, clock.ConsumerCpuPerMessage, clock.BrokerCpuPerMessage, [.. clock.RateByTenth()]);
        }
        finally
        {
            await scenario.DisposeAsync();
            await Broker.Delete(admin, scenario.Entities);
        }
    }
}

/// <summary>A drain's rate (msg/s), its measured length, how fast the backlog was published, and CPU µs per message.</summary>
public sealed record DrainResult(double Rate, double Seconds, double FillRate, double ConsumerCpu, double BrokerCpu, IReadOnlyList<double> RateByTenth);
