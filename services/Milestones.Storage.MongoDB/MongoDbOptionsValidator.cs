using Microsoft.Extensions.Options;

namespace Milestones.Storage.MongoDB;

/// <summary>Refuses settings the store cannot be correct with, naming the setting but never echoing the connection string.</summary>
public sealed class MongoDbOptionsValidator : IValidateOptions<MongoDbOptions>
{
    public ValidateOptionsResult Validate(string? name, MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{MongoDbOptions.SectionName}:ConnectionString is required: set the environment variable MongoDb__ConnectionString or mount the secret file MongoDb__ConnectionString.");
        }
        else if (!MongoDbClientSettings.TryParse(options.ConnectionString, out _))
        {
            failures.Add($"{MongoDbOptions.SectionName}:ConnectionString is not a valid MongoDB connection string.");
        }
        if (int.TryParse(options.WriteConcern, out var w) && w < 1)
        {
            // w=0 writes are not acknowledged: a version conflict or a duplicate event would go unseen.
            failures.Add($"{MongoDbOptions.SectionName}:WriteConcern must be 'majority' or at least 1; unacknowledged writes would lose the version check.");
        }
        if (options.WriteConcernTimeout <= TimeSpan.Zero)
        {
            // wtimeout 0 means "wait forever": a lost majority would stall every write while the probes stay green.
            failures.Add($"{MongoDbOptions.SectionName}:WriteConcernTimeout must be above zero; without it a replica set that lost its majority holds every write forever.");
        }
        if (options.SocketTimeout <= options.WriteConcernTimeout)
        {
            failures.Add($"{MongoDbOptions.SectionName}:SocketTimeout must be above WriteConcernTimeout, so that a write waiting for its write concern gets the server's answer.");
        }
        if (options.ServerSelectionTimeout is { } selection && selection <= TimeSpan.Zero)
        {
            failures.Add($"{MongoDbOptions.SectionName}:ServerSelectionTimeout must be above zero.");
        }
        failures.AddRange(MongoDbTls.Problems(options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
