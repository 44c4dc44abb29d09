using System.Diagnostics;

namespace Milestones.Benchmarks;

/// <summary>
/// Times a drain. The rate counts from the moment the first 10 % were done to the last message, so that connection
/// start-up and most of the JIT warm-up stay out of it in every scenario (a child process starts cold, an in-process
/// bus may be warm from an earlier repetition).
/// </summary>
public sealed class DrainClock(long total, Func<TimeSpan>? consumerCpu = null, Func<TimeSpan>? brokerCpu = null)
{
    readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly long warmup = Math.Max(1, total / 10);
    long count;
    long warmCount;
    long warmAt;
    long endAt;
    readonly long[] tenths = new long[11];
    readonly long[] tenthCounts = new long[11];
    TimeSpan consumerCpuAtWarm, consumerCpuAtEnd, brokerCpuAtWarm, brokerCpuAtEnd;

    public long Total { get; } = total;
    public long Count => Interlocked.Read(ref count);
    public Task Completion => done.Task;

    /// <summary>One message done (in-process consumers).</summary>
    public void Tick() => Observe(Interlocked.Increment(ref count));

    /// <summary>A new count seen (pushed by <see cref="Tick"/> or polled from a store).</summary>
    public void Observe(long seen)
    {
        var tenth = Math.Min(10, (int)(seen * 10 / Math.Max(1, Total)));
        if (tenth > 0 && Interlocked.CompareExchange(ref tenths[tenth], Stopwatch.GetTimestamp(), 0) == 0)
        {
            tenthCounts[tenth] = seen;
        }
        if (seen > Interlocked.Read(ref count))
        {
            Interlocked.Exchange(ref count, seen);
        }
        if (seen >= warmup && Interlocked.CompareExchange(ref warmAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            warmCount = seen;
            consumerCpuAtWarm = consumerCpu?.Invoke() ?? default;
            brokerCpuAtWarm = brokerCpu?.Invoke() ?? default;
        }
        if (seen >= Total && Interlocked.CompareExchange(ref endAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            consumerCpuAtEnd = consumerCpu?.Invoke() ?? default;
            brokerCpuAtEnd = brokerCpu?.Invoke() ?? default;
            done.TrySetResult();
        }
    }

    /// <summary>Ends the wait with this failure (the consumer died).</summary>
    public void Fail(Exception failure) => done.TrySetException(failure);

    /// <summary>Messages per second from the warm-up mark to the last message.</summary>
    public double Rate => warmCount < Total
        ? (Total - warmCount) / Stopwatch.GetElapsedTime(warmAt, endAt).TotalSeconds
        : throw new InvalidOperationException(
            $"all {Total:N0} messages were seen done at once (one group commit can carry them): too few to time; give a larger count");

    /// <summary>CPU time of the consuming process per message over the same stretch, in µs (NaN when not measured).</summary>
    public double ConsumerCpuPerMessage => consumerCpu is null ? double.NaN : (consumerCpuAtEnd - consumerCpuAtWarm).TotalMicroseconds / (Total - warmCount);

    /// <summary>CPU time of the broker per message over the same stretch, in µs (NaN when not measured).</summary>
    public double BrokerCpuPerMessage => brokerCpu is null ? double.NaN : (brokerCpuAtEnd - brokerCpuAtWarm).TotalMicroseconds / (Total - warmCount);

    /// <summary>The rate in each tenth of the drain after the first (msg/s), to see warm-up and drift.</summary>
    public IEnumerable<double> RateByTenth()
    {
        for (var i = 2; i <= 10; i++)
        {
            if (tenths[i] != 0 && tenths[i - 1] != 0)
            {
                yield return (tenthCounts[i] - tenthCounts[i - 1]) / Stopwatch.GetElapsedTime(tenths[i - 1], tenths[i]).TotalSeconds;
            }
        }
    }

    /// <summary>Seconds from the warm-up mark to the last message.</summary>
    public double Seconds => Stopwatch.GetElapsedTime(warmAt, endAt).TotalSeconds;

    /// <summary>Waits for the last message; fails when nothing moved for <paramref name="stall"/>.</summary>
    public async Task Wait(TimeSpan stall, Func<string> diagnose)
    {
        ArgumentNullException.ThrowIfNull(diagnose);
        var last = -1L;
        var lastMoved = Stopwatch.GetTimestamp();
        while (!done.Task.IsCompleted)
        {
            await Task.WhenAny(done.Task, Task.Delay(500));
            var now = Count;
            if (now != last)
            {
                last = now;
                lastMoved = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastMoved) > stall)
            {
                throw new TimeoutException($"drain stalled at {now}/{Total} for {stall.TotalSeconds:0} s: {diagnose()}");
            }
        }
        await done.Task;
    }
}
