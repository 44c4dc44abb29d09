using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// An event the catalog or the limits refuse goes to the error queue at once, with its reason code in a
/// header, a log line with the trace id, and nothing stored. Guards: the retry policy's Ignore of
/// MilestoneRejectedException (without it the consumer sees the message RetryLimit+1 times) and the error pipe's
/// RejectionHeadersFilter (without it there is no reason header).
/// </summary>
public sealed class Refused_events(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    public static TheoryData<string> Reasons =>
    [
        "unknown-project", "unknown-milestone", "missing-field", "timestamp-in-future", "before-project-existed", "too-large",
        "unauthenticated-source", "source-mismatch", "source-not-authorized",
    ];

    /// <summary>The refused event and the broker user it is published as (its AMQP user_id; null: none).</summary>
    static (MilestoneReached Message, string? UserId) Refused(string reason)
    {
        var valid = Events.Valid();
        return reason switch
        {
            "unknown-project" => (valid with { ProjectId = "no-such-project" }, Events.Source),
            "unknown-milestone" => (valid with { MilestoneCode = "ribbon-cut" }, Events.Source),
            "missing-field" => (valid with { ProjectId = "" }, Events.Source),
            "timestamp-in-future" => (valid with { OccurredAt = DateTimeOffset.UtcNow.AddDays(2), ReportedAt = DateTimeOffset.UtcNow.AddDays(2) }, Events.Source),
            "before-project-existed" => (valid with { OccurredAt = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero) }, Events.Source),
            "too-large" => (valid with { Note = new string('字', 2_001) }, Events.Source),
            // In Production the source is the broker-validated publisher, never only the name in the body.
            "unauthenticated-source" => (valid, null),
            "source-mismatch" => (valid, "lize-pmo"),
            // 丽泽城市航站楼 is not the metro operator's project in the catalog.
            "source-not-authorized" => (valid with { SourceSystem = null }, "metro-operator"),
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };
    }

    [Theory]
    [MemberData(nameof(Reasons))]
    public async Task Goes_to_the_error_queue_at_once_with_its_reason(string reason)
    {
        var (worker, client) = await fixture.Start();
        var (message, userId) = Refused(reason);

        await worker.Services.GetRequiredService<IBus>().Publish(message, context =>
        {
            context.MessageId = message.EventId;
            // The tests' broker user may set another user's id (it is an impersonator); the worker's own publish filter
            // would otherwise stamp its own.
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                rabbit.BasicProperties.UserId = userId;
            }
        }, TestContext.Current.CancellationToken);

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
