using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// Creates the indexes at startup without holding the host up: while MongoDB cannot be reached it retries with
/// backoff, and readiness stays unhealthy until it has succeeded. Correctness does not wait for it (the unique
/// indexes are the <c>_id</c> ones MongoDB always has); the secondary indexes only keep queries off collection scans.
/// </summary>
public sealed partial class MongoStoreInitializer(
    MongoMilestoneStore store,
    MongoStoreReadiness readiness,
    IOptions<MongoDbOptions> options,
    TimeProvider time,
    ILogger<MongoStoreInitializer> logger) : BackgroundService
{
    static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var target = MongoDbClientSettings.Describe(options.Value);
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.EnsureIndexes(stoppingToken).ConfigureAwait(false);
                readiness.MarkIndexesReady();
                LogIndexesReady(target);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Only the exception's type and message: the driver's messages name hosts, never credentials.
                LogIndexesFailed(target, attempt, delay, ex.GetType().Name, ex.Message);
            }
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    [LoggerMessage(LogLevel.Information, "MongoDB store ready at {Target}: indexes in place")]
    partial void LogIndexesReady(string target);

    [LoggerMessage(LogLevel.Warning, "MongoDB at {Target} is not usable yet (attempt {Attempt}); retrying in {Delay}: {ErrorType}: {ErrorMessage}")]
    partial void LogIndexesFailed(string target, int attempt, TimeSpan delay, string errorType, string errorMessage);
}
