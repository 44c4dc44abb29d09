using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// SPEC §6: an event the catalog or the limits refuse goes to the error queue at once, with its reason code in a
/// header, a log line with the trace id, and nothing stored. Guards: the retry policy's Ignore of
/// MilestoneRejectedException (without it the consumer sees the message RetryLimit+1 times) and the error pipe's
/// RejectionHeadersFilter (without it there is no reason header).
/// </summary>
public sealed class Refused_events(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    public static TheoryData<string> Reasons => ["unknown-project", "unknown-milestone", "missing-field", "timestamp-in-future", "before-project-existed", "too-large"];

    static MilestoneReached Refused(string reason)
    {
        var valid = Events.Valid();
        return reason switch
        {
            "unknown-project" => valid with { ProjectId = "no-such-project" },
            "unknown-milestone" => valid with { MilestoneCode = "ribbon-cut" },
            "missing-field" => valid with { SourceSystem = "" },
            "timestamp-in-future" => valid with { OccurredAt = DateTimeOffset.UtcNow.AddDays(2), ReportedAt = DateTimeOffset.UtcNow.AddDays(2) },
            "before-project-existed" => valid with { OccurredAt = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero) },
            "too-large" => valid with { Note = new string('字', 2_001) },
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };
    }

    [Theory]
    [MemberData(nameof(Reasons))]
    public async Task Goes_to_the_error_queue_at_once_with_its_reason(string reason)
    {
        var (worker, client) = await fixture.Start();
        var message = Refused(reason);

        await worker.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.EventId, TestContext.Current.CancellationToken);

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == message.EventId.ToString());
        Assert.Equal(reason, error.Header(MilestonesHeaders.RejectionReason));
        Assert.StartsWith(reason, error.Header("MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Equal(message.EventId, error.JsonBody.GetProperty("message").GetProperty("eventId").GetGuid());

        // Consumed once, not retried: one rejection line, written inside the consume trace.
        var lines = worker.ConsumerLines(message.EventId).Where(l => l.Message.StartsWith("Rejected", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains(reason, line.Message, StringComparison.Ordinal);
        Assert.NotNull(line.TraceId);
        Assert.False(worker.Store.HasEvent(message.EventId));
    }
}
