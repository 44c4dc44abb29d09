using Microsoft.Data.Sqlite;
using Milestones.Domain.Storage;
using Milestones.Storage.Sqlite;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;
using Milestones.Worker.Consumers;
using static Milestones.Storage.Tests.Contract.StoreSteps;

namespace Milestones.Storage.Tests.Sqlite;

/// <summary>
/// SQLite failures that mean the store cannot take writes for now (held and retried as an outage), on a real database
/// file where SQLite can be made to fail, and on SQLite's own result codes where it cannot be here.
/// </summary>
public sealed class SQLite_store_outages
{
    /// <summary>The worker's outage rule over the classifier the SQLite store registers.</summary>
    static readonly StoreOutage Outage = new([new SqliteStoreOutage()]);

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_database_fails_writes_as_an_outage_and_takes_them_again_once_it_has_room()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        await Apply(harness, store, TestEvents.Reached(TestCatalog.Hub, "approved", 1));
        // No room beyond what the file holds now: the next pages cannot be added, as on a full disk.
        store.MaxSize = new FileInfo(harness.Path).Length;

        var note = new string('满', 2_000);
        var failure = await Assert.ThrowsAsync<SqliteException>(async () =>
        {
            for (var day = 2; day < 200; day++)
            {
                await Apply(harness, store, TestEvents.Reached(TestCatalog.Hub, "approved", day, note: note));
            }
        });
        Assert.Equal(SqliteStoreOutage.Full, failure.SqliteErrorCode);
        Assert.True(SqliteStoreOutage.IsOutage(failure));
        Assert.True(Outage.IsOutage(failure));

        // The limit raised (space freed): the same write goes through.
        store.MaxSize = null;
        var retried = TestEvents.Reached(TestCatalog.Hub, "approved", 300, note: note);
        var (result, _) = await Apply(harness, store, retried);
        Assert.IsType<CommitResult.Committed>(result);
        Assert.Contains((await store.GetTimeline(TestCatalog.Hub, 1_000, Cancel)), e => e.EventId == retried.EventId);
    }

    [Fact]
    public async Task A_store_opened_with_a_size_limit_keeps_the_database_within_it()
    {
        await using var harness = new SqliteHarness();
        const long limit = 1 << 20;
        var store = new SqliteMilestoneStore(harness.Path, harness.Time, maxSize: limit);
        Assert.Equal(limit, store.MaxSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.MaxSize = 0);

        var note = new string('满', 2_000);
        var failure = await Assert.ThrowsAsync<SqliteException>(async () =>
        {
            for (var day = 1; day < 1_000; day++)
            {
                await Apply(harness, store, TestEvents.Reached(TestCatalog.Hub, "approved", day, note: note));
            }
        });

        Assert.Equal(SqliteStoreOutage.Full, failure.SqliteErrorCode);
        using var connection = new SqliteConnection($"Data Source={harness.Path};Pooling=False");
        connection.Open();
        using var size = connection.CreateCommand();
        size.CommandText = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
        Assert.InRange((long)size.ExecuteScalar()!, limit / 2, limit);
    }

    [Theory]
    [InlineData(5, 5, "SQLITE_BUSY")]
    [InlineData(5, 517, "SQLITE_BUSY_SNAPSHOT")]
    [InlineData(6, 6, "SQLITE_LOCKED")]
    [InlineData(8, 8, "SQLITE_READONLY")]
    [InlineData(10, 778, "SQLITE_IOERR_WRITE")]
    [InlineData(10, 1034, "SQLITE_IOERR_FSYNC")]
    [InlineData(10, 3338, "SQLITE_IOERR_SHMOPEN")]
    [InlineData(13, 13, "SQLITE_FULL")]
    [InlineData(14, 14, "SQLITE_CANTOPEN")]
    public void Busy_locked_read_only_full_io_and_unopenable_are_outages(int code, int extended, string name)
    {
        var failure = new SqliteException($"SQLite Error {code}: '{name}'.", code, extended);

        Assert.True(SqliteStoreOutage.IsOutage(failure), name);
        Assert.True(Outage.IsOutage(new InvalidOperationException("wrapped", failure)), name);
    }

    [Theory]
    [InlineData(19, 2067, "SQLITE_CONSTRAINT_UNIQUE")]
    [InlineData(18, 18, "SQLITE_TOOBIG")]
    [InlineData(1, 1, "SQLITE_ERROR")]
    public void Failures_of_one_write_are_not_outages(int code, int extended, string name)
    {
        Assert.False(SqliteStoreOutage.IsOutage(new SqliteException($"SQLite Error {code}: '{name}'.", code, extended)), name);
    }
}
