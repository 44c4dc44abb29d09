using System.Diagnostics;
using Milestones.Domain.Recording;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Consumers;

/// <summary>
/// Gathers the inputs that the consumers hand over concurrently into batches for the recorder, so that one store write
/// carries many events: whatever arrives while a batch is being recorded makes the next batch, so batches grow with the
/// load by themselves and a lone message is recorded at once. Each consumer gets its own input's outcome, and only once
/// the batch holding it is durable, so a message is acknowledged only after its event is; a refused input fails alone.
/// <para>
/// There is no background thread: the caller that finds the intake idle starts recording, and recording stops when
/// nothing is waiting. One batch is recorded at a time.
/// </para>
/// </summary>
public sealed class RecordingIntake(MilestoneRecorder recorder, MilestonesTelemetry telemetry, StoreOutage storeOutage)
{
    /// <summary>Inputs in one batch at most, so that one store write stays short.</summary>
    public const int MaxBatchSize = 512;

    readonly Lock gate = new();
    List<Waiting> queued = [];
    bool recording;

    /// <summary>
    /// Records the input with whatever else is waiting; completes with its outcome once its batch is recorded. Throws the
    /// failure of a failed outcome (the store failed, or the project kept changing), so that the transport retries it.
    /// A completion or reopening the input causes is stored with the current span as its trace parent, so that its later
    /// publish joins the trace of the message that caused it.
    /// </summary>
    public async Task<RecordOutcome> Record(RecordRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var waiting = new Waiting(
            request.TraceParent is null ? request.WithTraceParent(MilestonesTracing.CurrentTraceParent()) : request,
            Activity.Current?.Context ?? default,
            cancellationToken);
        bool start;
        lock (gate)
        {
            queued.Add(waiting);
            start = !recording;
            recording = true;
        }
        if (start)
        {
            // Not in the caller's execution context: the batches belong to no one message's trace.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(RecordAll, CancellationToken.None);
            }
        }
        RecordOutcome outcome;
        // Gives up waiting when the consumer is cancelled (the bus is stopping): its message is not acknowledged.
        await using (cancellationToken.UnsafeRegister(static (state, token) => ((Waiting)state!).Cancel(token), waiting).ConfigureAwait(false))
        {
            outcome = await waiting.Outcome.ConfigureAwait(false);
        }
        if (outcome.Failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return outcome;
    }

    async Task RecordAll()
    {
        while (true)
        {
            List<Waiting> batch;
            lock (gate)
            {
                if (queued.Count == 0)
                {
                    recording = false;
                    return;
                }
                if (queued.Count <= MaxBatchSize)
                {
                    batch = queued;
                    queued = [];
                }
                else
                {
                    batch = queued.GetRange(0, MaxBatchSize);
                    queued.RemoveRange(0, MaxBatchSize);
                }
            }
            // An input whose consumer gave up (the bus is stopping) is not recorded: its message was not acknowledged.
            batch.RemoveAll(w => w.CancellationToken.IsCancellationRequested);
            if (batch.Count > 0)
            {
                await RecordBatch(batch).ConfigureAwait(false);
            }
        }
    }

    async Task RecordBatch(List<Waiting> batch)
    {
        using var activity = MilestonesTracing.StartRecordBatch(batch.Select(w => w.Caller), batch.Count);
        telemetry.BatchSize.Record(batch.Count);
        try
        {
            var outcomes = await recorder.Record(batch.ConvertAll(w => w.Request), CancellationToken.None).ConfigureAwait(false);
            if (batch.Count > 1 && outcomes.Any(IsolatedFailure))
            {
                outcomes = await RecordAlone(batch, outcomes).ConfigureAwait(false);
            }
            Observe(outcomes);
            CompleteAll(batch, outcomes);
        }
        catch (Exception ex)
        {
            // The recorder answers every input, failures included; this is a bug or a broken invariant, not an outage.
            activity.RecordFailure(ex);
            telemetry.RecordFailures.Add(batch.Count, new KeyValuePair<string, object?>(MilestonesTelemetry.KindTag, StoreOutage.UnexpectedKind));
            CompleteAll(batch, [.. batch.Select(_ => RecordOutcome.Failed(ex))]);
        }
    }

    /// <summary>
    /// Counts the failures by kind, and tells whether the store can be written: a failure that is an outage starts (or
    /// continues) the outage the readiness check and <c>milestones.store.outage</c> show; an event recorded or found
    /// recorded ends it. Refusals say nothing about the store: they are decided before it is written.
    /// </summary>
    void Observe(IReadOnlyList<RecordOutcome> outcomes)
    {
        Exception? outage = null;
        var reachedStore = false;
        foreach (var outcome in outcomes)
        {
            if (outcome.Failure is { } failure)
            {
                var kind = storeOutage.Kind(failure);
                telemetry.RecordFailures.Add(1, new KeyValuePair<string, object?>(MilestonesTelemetry.KindTag, kind));
                if (kind == StoreOutage.OutageKind)
                {
                    outage ??= failure;
                }
            }
            else if (outcome.Status is RecordStatus.Applied or RecordStatus.Duplicate)
            {
                reachedStore = true;
            }
        }
        if (outage is not null || reachedStore)
        {
            telemetry.ReportStoreWrite(outage);
        }
    }

    /// <summary>
    /// A failure that is not an outage of the store may belong to one input alone (a value the store cannot take, a
    /// bug): it would fail every message of the batch with it, and their retries, batched together again, too.
    /// </summary>
    bool IsolatedFailure(RecordOutcome outcome) => outcome.Failure is { } failure && !storeOutage.IsOutage(failure);

    /// <summary>
    /// Records each input that failed that way again, on its own, so that it fails alone and the others get their own
    /// outcomes. Recording again is safe: what the failed batch wrote is found recorded. An outage fails the batch as a
    /// whole instead: every input would wait for the store in turn.
    /// </summary>
    async Task<IReadOnlyList<RecordOutcome>> RecordAlone(List<Waiting> batch, IReadOnlyList<RecordOutcome> outcomes)
    {
        var alone = outcomes.ToArray();
        for (var i = 0; i < batch.Count; i++)
        {
            if (IsolatedFailure(alone[i]))
            {
                alone[i] = (await recorder.Record([batch[i].Request], CancellationToken.None).ConfigureAwait(false))[0];
            }
        }
        return alone;
    }

    /// <summary>
    /// Hands the outcomes to the waiting consumers from one thread-pool work item for the whole batch, which runs their
    /// continuations (the rest of each consume, the acknowledgement) one after the other: one hand-off per batch instead
    /// of one per message, and the intake goes on to the next batch meanwhile.
    /// </summary>
    static void CompleteAll(List<Waiting> batch, IReadOnlyList<RecordOutcome> outcomes) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (waiting, results) = state;
            for (var i = 0; i < waiting.Count; i++)
            {
                waiting[i].Complete(results[i]);
            }
        }, (batch, outcomes), preferLocal: false);

    sealed class Waiting(RecordRequest request, ActivityContext caller, CancellationToken cancellationToken)
    {
        // Continuations run where the outcome is set: CompleteAll's work item, never the intake's own loop.
        readonly TaskCompletionSource<RecordOutcome> outcome = new();

        public RecordRequest Request { get; } = request;

        public ActivityContext Caller { get; } = caller;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Task<RecordOutcome> Outcome => outcome.Task;

        public void Complete(RecordOutcome result) => outcome.TrySetResult(result);

        public void Cancel(CancellationToken token) => outcome.TrySetCanceled(token);
    }
}
