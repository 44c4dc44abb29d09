namespace Milestones.Testing;

/// <summary>
/// Waiting with a deadline instead of fixed sleeps: for things that happen asynchronously (a delivery, a batch export,
/// a reconnect), not a measurement.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds, for at most <paramref name="timeout"/>; fails the test saying what was awaited.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not reached within {timeout.TotalSeconds:0.#} s: {describe?.Invoke() ?? "condition"}");
            }
            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }

    public static Task Until(Func<bool> condition, TimeSpan timeout, Func<string>? describe = null) =>
        Until(() => Task.FromResult(condition()), timeout, describe);

    public static Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what) => Until(condition, timeout, () => what);

    public static Task Until(Func<bool> condition, TimeSpan timeout, string what) => Until(condition, timeout, () => what);
}
