using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Milestones.Storage.MongoDB;
using MongoDB.Driver;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>How settings reach the driver: secret files, TLS, durability, validation. No server needed.</summary>
public sealed class Configuring_MongoDB
{
    const string Password = "Pa55-w0rd-SECRET-7f3a";

    [Fact]
    public void Secret_file_overrides_the_environment_variable_of_the_same_key()
    {
        // A unique prefix keeps the variable away from every other test in the process; the key is the real one.
        var prefix = $"MILESTONES_TEST_{Guid.NewGuid():N}_";
        var directory = Directory.CreateTempSubdirectory("milestones-secrets-");
        Environment.SetEnvironmentVariable(prefix + "MongoDb__ConnectionString", "mongodb://from-environment:27017");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "MongoDb__ConnectionString"), "mongodb://from-secret-file:27017");
            var environmentOnly = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var withSecret = new ConfigurationBuilder().AddEnvironmentVariables(prefix).AddKeyPerFile(directory.FullName, optional: false).Build();

            Assert.Equal("mongodb://from-environment:27017", Bind(environmentOnly).ConnectionString);
            Assert.Equal("mongodb://from-secret-file:27017", Bind(withSecret).ConnectionString);
            Assert.Equal("from-secret-file", MongoDbClientSettings.Create(Bind(withSecret)).Server.Host);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "MongoDb__ConnectionString", null);
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("mongodb://db.example:27017", null, false)]
    [InlineData("mongodb://db.example:27017/?tls=true", null, true)]
    [InlineData("mongodb://db.example:27017", true, true)]
    [InlineData("mongodb://db.example:27017/?tls=true", false, false)]
    public void Tls_flag_reaches_the_client_settings(string connectionString, bool? useTls, bool expected)
    {
        var settings = MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = connectionString, UseTls = useTls });

        Assert.Equal(expected, settings.UseTls);
    }

    [Fact]
    public void Tls_flag_binds_from_configuration()
    {
        var options = Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MongoDb:ConnectionString"] = "mongodb://db.example:27017",
            ["MongoDb:UseTls"] = "true",
        }).Build());

        Assert.True(MongoDbClientSettings.Create(options).UseTls);
    }

    [Fact]
    public void Writes_default_to_majority_journaled_and_retryable_whatever_the_connection_string_says()
    {
        var settings = MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = "mongodb://db.example:27017/?w=1&journal=false&retryWrites=false" });

        Assert.Equal(WriteConcern.WValue.Parse("majority"), settings.WriteConcern.W);
        Assert.True(settings.WriteConcern.Journal);
        Assert.True(settings.WriteConcern.IsAcknowledged);
        Assert.True(settings.RetryWrites);
    }

    [Fact]
    public void Write_concern_journal_timeout_and_retries_are_configurable()
    {
        var settings = MongoDbClientSettings.Create(new MongoDbOptions
        {
            ConnectionString = "mongodb://db.example:27017",
            WriteConcern = "2",
            Journal = false,
            WriteConcernTimeout = TimeSpan.FromSeconds(5),
            RetryWrites = false,
            ServerSelectionTimeout = TimeSpan.FromSeconds(3),
        });

        Assert.Equal(new WriteConcern.WCount(2), settings.WriteConcern.W);
        Assert.False(settings.WriteConcern.Journal);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.WriteConcern.WTimeout);
        Assert.False(settings.RetryWrites);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.ServerSelectionTimeout);
    }

    [Fact]
    public void No_write_or_reply_waits_forever_by_default()
    {
        // A replica set that lost its majority would hold a w:majority write without wtimeout until it came back.
        var settings = MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = "mongodb://db.example:27017/?socketTimeoutMS=0" });

        Assert.Equal(TimeSpan.FromSeconds(5), settings.WriteConcern.WTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.SocketTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ServerSelectionTimeout);
    }

    [Fact]
    public void Write_concern_and_socket_timeouts_bind_from_configuration()
    {
        var options = Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MongoDb:ConnectionString"] = "mongodb://db.example:27017",
            ["MongoDb:WriteConcernTimeout"] = "00:00:02",
            ["MongoDb:SocketTimeout"] = "00:00:20",
        }).Build());
        var settings = MongoDbClientSettings.Create(options);

        Assert.Equal(TimeSpan.FromSeconds(2), settings.WriteConcern.WTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.SocketTimeout);
    }

    [Theory]
    [InlineData("00:00:00", "00:00:30", "WriteConcernTimeout")]
    [InlineData("-00:00:01", "00:00:30", "WriteConcernTimeout")]
    [InlineData("00:00:10", "00:00:10", "SocketTimeout")]
    [InlineData("00:00:10", "00:00:05", "SocketTimeout")]
    public void A_timeout_that_could_wait_forever_or_cut_the_answer_short_is_refused(string writeConcernTimeout, string socketTimeout, string setting)
    {
        var result = new MongoDbOptionsValidator().Validate(null, new MongoDbOptions
        {
            ConnectionString = "mongodb://db.example:27017",
            WriteConcernTimeout = TimeSpan.Parse(writeConcernTimeout, System.Globalization.CultureInfo.InvariantCulture),
            SocketTimeout = TimeSpan.Parse(socketTimeout, System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_server_selection_timeout_is_refused()
    {
        var result = new MongoDbOptionsValidator().Validate(null, new MongoDbOptions
        {
            ConnectionString = "mongodb://db.example:27017",
            ServerSelectionTimeout = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        Assert.Contains("ServerSelectionTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Driver_tracing_is_on_and_query_text_stays_out_of_spans_by_default()
    {
        var settings = MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = "mongodb://db.example:27017" });

        Assert.False(settings.TracingOptions.Disabled);
        Assert.Equal(0, settings.TracingOptions.QueryTextMaxLength);
        Assert.Equal("MongoDB.Driver", MongoDbClientSettings.ActivitySourceName);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("   ", "is required")]
    [InlineData($"postgres://user:{Password}@db.example:5432", "not a valid MongoDB connection string")]
    [InlineData($"mongodb://user:{Password}@db.example:27017/?unknownOption=%%%", "not a valid MongoDB connection string")]
    public void Bad_connection_string_is_refused_without_echoing_it(string connectionString, string reason)
    {
        var result = new MongoDbOptionsValidator().Validate(null, new MongoDbOptions { ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.FailureMessage, StringComparison.Ordinal);
        var thrown = Assert.ThrowsAny<Exception>(() => MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = connectionString }));
        Assert.DoesNotContain(Password, thrown.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void Unacknowledged_write_concern_is_refused(string w)
    {
        var result = new MongoDbOptionsValidator().Validate(null, new MongoDbOptions { ConnectionString = "mongodb://db.example:27017", WriteConcern = w });

        Assert.True(result.Failed);
        Assert.Contains("WriteConcern", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("majority")]
    [InlineData("1")]
    [InlineData("3")]
    public void Acknowledged_write_concern_is_accepted(string w)
    {
        var result = new MongoDbOptionsValidator().Validate(null, new MongoDbOptions { ConnectionString = "mongodb://db.example:27017", WriteConcern = w });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Description_names_hosts_and_database_but_no_credentials()
    {
        var description = MongoDbClientSettings.Describe(new MongoDbOptions
        {
            ConnectionString = $"mongodb://milestones-user:{Password}@db-0.example:27017,db-1.example:27018/admin?replicaSet=rs0",
            DatabaseName = "milestones",
        });

        Assert.Equal("mongodb://db-0.example:27017,db-1.example:27018/milestones", description);
    }

    static MongoDbOptions Bind(IConfiguration configuration) =>
        configuration.GetSection(MongoDbOptions.SectionName).Get<MongoDbOptions>() ?? throw new OptionsValidationException(MongoDbOptions.SectionName, typeof(MongoDbOptions), ["section missing"]);
}
