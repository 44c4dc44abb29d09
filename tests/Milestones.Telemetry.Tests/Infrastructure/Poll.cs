namespace Milestones.Telemetry.Tests.Infrastructure;

static class Poll
{
    /// <summary>
    /// Waits until <paramref name="done"/> holds, checking every 100 ms, for at most <paramref name="within"/>: a deadline
    /// for things that happen asynchronously (a delivery, a batch export, a reconnect), not a measurement.
    /// </summary>
    public static Task Until(Func<bool> done, TimeSpan within, string what) => Until(() => Task.FromResult(done()), within, what);

    public static async Task Until(Func<Task<bool>> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Gave up after {within.TotalSeconds:0} s waiting for {what}.");
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
