using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Storage;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.Contract;

/// <summary>
/// One store's database for one test: a unique file or database name, opened as many times as the test likes
/// (each <see cref="Open"/> is a new store instance on the same data, as after a restart), removed on dispose.
/// </summary>
public abstract class StoreHarness : IAsyncDisposable
{
    /// <summary>The clock the stores measure leases with.</summary>
    public FakeTimeProvider Time { get; } = new(TestEvents.Now);

    /// <summary>A new store instance on this harness's data.</summary>
    public abstract Task<OpenStore> Open();

    public abstract ValueTask DisposeAsync();
}

/// <summary>A store instance; disposing it closes its connections, as a stopped process would.</summary>
public sealed class OpenStore(IProjectStore projects, IOutboxStore outbox, Action close) : IAsyncDisposable
{
    public IProjectStore Projects { get; } = projects;

    public IOutboxStore Outbox { get; } = outbox;

    public ValueTask DisposeAsync()
    {
        close();
        return ValueTask.CompletedTask;
    }
}
