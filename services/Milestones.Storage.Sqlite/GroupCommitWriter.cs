using Microsoft.Data.Sqlite;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// The store's single writer, with group commit. Every write of a store instance (commits, outbox claims and marks)
/// is queued here; one writer at a time takes everything queued and runs it in ONE transaction, each write inside its
/// own savepoint, then commits once (one fsync with synchronous=FULL) and only then completes the writers' tasks.
/// <list type="bullet">
/// <item>A write that fails or is refused (a version conflict, an existing event) is rolled back to its savepoint and
/// affects no other write of the group.</item>
/// <item>A failure of the transaction itself (the COMMIT, the disk, the file) fails every write of the group: none
/// of them is visible and none of their callers is told it succeeded.</item>
/// <item>Writes run in the order they were queued, which is what lets a commit be chained to an earlier one
/// (<see cref="Milestones.Domain.Storage.IPipelinedProjectStore"/>).</item>
/// </list>
/// There is no background thread: the caller that finds the writer idle starts it, and it stops when the queue is
/// empty. While a group is on its way to the disk the next one gathers, so groups grow with the load by themselves.
/// </summary>
sealed class GroupCommitWriter(Func<CancellationToken, Task<SqliteConnection>> open)
{
    /// <summary>Writes in one transaction at most, so that one transaction stays short.</summary>
    public const int MaxGroupSize = 1024;

    readonly Lock gate = new();
    List<WriteItem> queued = [];
    bool writing;

    /// <summary>A test seam: called inside the transaction after the writes of a group, before COMMIT.</summary>
    public Action<CommitStep>? AfterStep { get; set; }

    /// <summary>Groups written so far, and writes in them: for tests and diagnostics.</summary>
    public long Groups { get; private set; }

    public long Writes { get; private set; }

    /// <summary>Writes waiting for the next group.</summary>
    public int Queued
    {
        get
        {
            lock (gate)
            {
                return queued.Count;
            }
        }
    }

    public Task<T> Enqueue<T>(WriteItem<T> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        bool start;
        lock (gate)
        {
            queued.Add(item);
            start = !writing;
            writing = true;
        }
        if (start)
        {
            _ = Task.Run(WriteAll);
        }
        return item.Task;
    }

    async Task WriteAll()
    {
        while (true)
        {
            List<WriteItem> group;
            lock (gate)
            {
                if (queued.Count == 0)
                {
                    writing = false;
                    return;
                }
                if (queued.Count <= MaxGroupSize)
                {
                    group = queued;
                    queued = [];
                }
                else
                {
                    group = queued.GetRange(0, MaxGroupSize);
                    queued.RemoveRange(0, MaxGroupSize);
                }
            }
            await WriteGroup(group).ConfigureAwait(false);
        }
    }

    async Task WriteGroup(List<WriteItem> group)
    {
        try
        {
            await using var connection = await open(CancellationToken.None).ConfigureAwait(false);
            // BEGIN IMMEDIATE: the write lock up front, so that another process's writer waits instead of deadlocking.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var context = new WriteContext(connection, transaction);
            foreach (var item in group)
            {
                if (item.Cancellation.IsCancellationRequested)
                {
                    item.Canceled = true;   // its caller gave up before it was written: it is not
                    context.Kept[item.Untyped] = false;
                    continue;
                }
                // Through the group's prepared statements: SqliteTransaction.Save/Release would parse their SQL for every write.
                await context.Statement("SAVEPOINT w").ExecuteNonQueryAsync().ConfigureAwait(false);
                bool keep;
                try
                {
                    keep = await item.Execute(context).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    item.Failure = ex;
                    keep = false;
                }
                // If SQLite itself rolled the transaction back (a disk error, say), this throws and the group fails.
                if (!keep)
                {
                    await context.Statement("ROLLBACK TO w").ExecuteNonQueryAsync().ConfigureAwait(false);
                }
                await context.Statement("RELEASE w").ExecuteNonQueryAsync().ConfigureAwait(false);
                item.Executed = keep;
                context.Kept[item.Untyped] = keep;
            }
            AfterStep?.Invoke(CommitStep.GroupWritten);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Nothing of the group is durable: every caller learns that, none is told it succeeded.
            foreach (var item in group)
            {
                item.Fail(ex);
            }
            return;
        }
        Groups++;
        Writes += group.Count;
        foreach (var item in group)
        {
            item.Complete();
        }
    }
}

/// <summary>
/// The connection and transaction a group's writes run in, and its statements: each prepared once per group and
/// reused by every write of the group (preparing costs more than running these small statements).
/// </summary>
sealed class WriteContext(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
{
    readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    /// <summary>The writes of this group that ran so far, by task, and whether each was kept.</summary>
    public Dictionary<Task, bool> Kept { get; } = [];

    /// <summary>The statement for this SQL, its parameters cleared.</summary>
    public SqliteCommand Statement(string sql)
    {
        if (!statements.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            statements[sql] = command;
        }
        command.Parameters.Clear();
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in statements.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One queued write.</summary>
abstract class WriteItem
{
    public CancellationToken Cancellation { get; init; }

    /// <summary>The task its caller waits on.</summary>
    public abstract Task Untyped { get; }

    /// <summary>Set by the writer: the write ran and was kept in the transaction (not rolled back to its savepoint).</summary>
    public bool Executed { get; set; }

    public bool Canceled { get; set; }

    public Exception? Failure { get; set; }

    /// <summary>Runs inside the transaction, in its own savepoint; returns false to roll the savepoint back.</summary>
    public abstract Task<bool> Execute(WriteContext context);

    /// <summary>The transaction committed: report this write's own outcome.</summary>
    public abstract void Complete();

    /// <summary>The transaction failed: nothing was written.</summary>
    public abstract void Fail(Exception exception);
}

/// <summary>A queued write with a result.</summary>
abstract class WriteItem<T> : WriteItem
{
    readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => completion.Task;

    public override Task Untyped => completion.Task;

    /// <summary>What the write produced, reported once the transaction is durable.</summary>
    protected T? Result { get; set; }

    public override void Complete()
    {
        if (Canceled)
        {
            completion.TrySetCanceled(Cancellation);
        }
        else if (Failure is not null)
        {
            completion.TrySetException(Failure);
        }
        else
        {
            completion.TrySetResult(Result!);
        }
    }

    public override void Fail(Exception exception)
    {
        if (Canceled)
        {
            completion.TrySetCanceled(Cancellation);
        }
        else
        {
            completion.TrySetException(exception);
        }
    }
}
