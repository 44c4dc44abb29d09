namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>Waiting with a deadline instead of fixed sleeps.</summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

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
}
