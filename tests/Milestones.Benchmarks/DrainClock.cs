using System.Diagnostics;

namespace Milestones.Benchmarks;

/// <summary>
/// Times a drain. The rate counts from the moment the first 2 % were done to the last message, so that connection
/// start-up and JIT warm-up weigh the same in every scenario (a child process starts cold, an in-process bus warm).
/// </summary>
public sealed class DrainClock(long total)
{
    readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly long warmup = Math.Max(1, total / 50);
    long count;
    long warmCount;
    long warmAt;
    long endAt;

    public long Total { get; } = total;
    public long Count => Interlocked.Read(ref count);
    public Task Completion => done.Task;

    /// <summary>One message done (in-process consumers).</summary>
    public void Tick() => Observe(Interlocked.Increment(ref count));

    /// <summary>A new count seen (pushed by <see cref="Tick"/> or polled from a store).</summary>
    public void Observe(long seen)
    {
        if (seen > Interlocked.Read(ref count))
        {
            Interlocked.Exchange(ref count, seen);
        }
        if (seen >= warmup && Interlocked.CompareExchange(ref warmAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            warmCount = seen;
        }
        if (seen >= Total && Interlocked.CompareExchange(ref endAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            done.TrySetResult();
        }
    }

    /// <summary>Ends the wait with this failure (the consumer died).</summary>
    public void Fail(Exception failure) => done.TrySetException(failure);

    /// <summary>Messages per second from the warm-up mark to the last message.</summary>
    public double Rate => (Total - warmCount) / Stopwatch.GetElapsedTime(warmAt, endAt).TotalSeconds;

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
