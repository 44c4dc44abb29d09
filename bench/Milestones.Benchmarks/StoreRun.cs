using System.Diagnostics;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Validation;
using Milestones.Storage.Sqlite;

namespace Milestones.Benchmarks;

/// <summary>
/// The store alone, without a broker: <c>--only store</c>. The recorder on the SQLite store, fed batches as large as the
/// worker's ConcurrentMessageLimit, for the same events; says what recording costs by itself.
/// Not part of the default run: a diagnostic for tuning the store.
/// </summary>
public static class StoreRun
{
    public static async Task Run(BenchmarkOptions options, ProjectCatalog catalog, string scratch, Log log)
    {
        var concurrency = options.WorkerSettings.TryGetValue("Messaging__ConcurrentMessageLimit", out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 32;
        for (var rep = 1; rep <= options.Reps; rep++)
        {
            var path = Path.Combine(scratch, $"store-{rep}.db");
            var store = new SqliteMilestoneStore(path);
            var recorder = new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, TimeProvider.System, ValidationLimits.Default), TimeProvider.System);
            var workload = new Workload(catalog, rep);
            var events = Enumerable.Range(0, options.Count).Select(_ => ToEvent(workload.Next())).ToArray();
            var cpu = Cpu.Self();
            var started = Stopwatch.GetTimestamp();
            foreach (var chunk in events.Chunk(concurrency))
            {
                var outcomes = await recorder.Record([.. chunk.Select(e => RecordRequest.Of(e))], CancellationToken.None);
                if (outcomes.FirstOrDefault(o => o.Status != RecordStatus.Applied) is { } failed)
                {
                    throw new InvalidOperationException($"{failed.Status} {failed.Rejection} {failed.Failure}");
                }
            }
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpuPerEvent = (Cpu.Self() - cpu).TotalMicroseconds / events.Length;
            log.Line($"store rep {rep}: {events.Length / seconds:N0} events/s, {cpuPerEvent:0} µs CPU/event, batches of {concurrency}");
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    static MilestoneEvent ToEvent(OutgoingMessage message)
    {
        using var json = System.Text.Json.JsonDocument.Parse(message.Body);
        var m = json.RootElement.GetProperty("message");
        return new MilestoneEvent
        {
            EventId = m.GetProperty("eventId").GetGuid(),
            ProjectId = m.GetProperty("projectId").GetString()!,
            MilestoneCode = m.GetProperty("milestoneCode").GetString()!,
            OccurredAt = m.GetProperty("occurredAt").GetDateTimeOffset(),
            ReportedAt = m.GetProperty("reportedAt").GetDateTimeOffset(),
            SourceSystem = m.GetProperty("sourceSystem").GetString()!,
            Note = m.GetProperty("note").GetString(),
            EvidenceUrl = m.GetProperty("evidenceUrl").GetString(),
        };
    }
}
