using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.Topology;

/// <summary>
/// The output exchanges exist from the moment the worker starts (RabbitMqTopology.ConfigureOutputs:
/// DeployPublishTopology), so a subscriber that starts first can bind; and a completion that no queue would receive
/// is not lost and marked sent (mandatory publish, MandatoryOutputsFilter; OutboxDispatcher leaves it pending) but
/// published once a subscriber is bound.
/// </summary>
public sealed class Output_exchanges(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task A_subscriber_binds_to_both_outputs_before_anything_was_published_and_an_unroutable_completion_waits_for_it()
    {
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, "milestones.outbox.unroutable", "milestones.completions.published");
        var factory = fixture.VirtualHost.ConnectionFactory();
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);

        // Nothing published yet: the exchanges are there, as MassTransit declares them (a different declaration
        // would close the channel with PRECONDITION_FAILED; a missing one, with NOT_FOUND).
        foreach (var exchange in new[] { WireNames.ProjectCompletedExchange, WireNames.ProjectReopenedExchange, WireNames.TargetMetExchange, WireNames.MilestoneOverdueExchange, WireNames.MilestoneRecordedExchange })
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
            await channel.ExchangeDeclarePassiveAsync(exchange, TestContext.Current.CancellationToken);
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: TestContext.Current.CancellationToken);
        }

        // No queue bound to milestones.project-completed yet: the completion comes back and stays in the outbox.
        var opened = Events.Valid("subway-16-south", "opened");
        await client.PublishJson(Queues.InputExchange, opened, opened.EventId.ToString());
        await Poll.Until(() => metrics.Sum("milestones.outbox.unroutable") >= 1, TimeSpan.FromSeconds(30), () => "the completion was never returned as unroutable");
        // Only the completion stays: the report's MilestoneRecorded reached the feed's queue, which the worker declared,
        // and is marked sent with the rest of its batch.
        await Poll.Until(() => worker.Store.PendingOutbox() == 1, TimeSpan.FromSeconds(10), () => $"{worker.Store.PendingOutbox()} entries pending, expected the completion alone");
        Assert.Equal(0, metrics.Sum("milestones.completions.published"));
        Assert.Contains(worker.Logs.Entries, l => l.Level == LogLevel.Warning && l.Message.StartsWith("No queue is bound", StringComparison.Ordinal));

        // A subscriber binds: the same completion is published on a later pass and only then marked sent.
        await client.Subscribe(WireNames.ProjectCompletedExchange, "it-late-subscriber");
        var completed = await client.WaitFor("it-late-subscriber", _ => true, TimeSpan.FromSeconds(30));
        Assert.Equal("subway-16-south", completed.JsonBody.GetProperty("message").GetProperty("projectId").GetString());
        await Poll.Until(() => worker.Store.PendingOutbox() == 0, TimeSpan.FromSeconds(10), () => "the published completion was not marked sent");
        Assert.Equal(1, metrics.Sum("milestones.completions.published"));
    }
}
