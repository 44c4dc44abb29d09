using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Milestones.Domain.Catalog;
using Milestones.Storage.MongoDB;
using Milestones.Worker.Demo;
using Milestones.Worker.Messaging;
using Milestones.Worker.Security;

namespace Milestones.Worker.Tests;

public class Starting_the_worker
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stops_with_the_entry_named_when_the_catalog_has_a_duplicate_id()
    {
        var catalog = Path.Combine(Path.GetTempPath(), "milestones-tests", $"{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(catalog)!);
        const string project = """
            { "id": "lize-city-terminal", "nameZh": "丽泽城市航站楼", "nameEn": "Lize City Air Terminal", "area": "丽泽金融商务区",
              "existsSince": "2015-01-01", "plan": { "milestones": ["opened"], "required": ["opened"] } }
            """;
        await File.WriteAllTextAsync(catalog, $$"""{ "projects": [ {{project}}, {{project}} ] }""", Encoding.UTF8, Cancel);
        await using var worker = new WorkerFactory(new() { ["Catalog:Path"] = catalog });

        var error = Assert.Throws<CatalogException>(() => worker.Server);

        Assert.Contains("project #2 'lize-city-terminal': duplicate id", error.Message, StringComparison.Ordinal);
        Assert.Contains(catalog, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_guess_a_transport_that_the_configuration_does_not_name()
    {
        await using var worker = new WorkerFactory(new() { ["Messaging:Transport"] = "" });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains("Messaging:Transport must be set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_guess_a_store_that_the_configuration_does_not_name()
    {
        await using var worker = new WorkerFactory(new() { ["Storage:Provider"] = "" });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains("Storage:Provider must be set", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Production on RabbitMQ with the given broker settings; the Development defaults (in-memory, SQLite) replaced.</summary>
    static WorkerFactory ProductionOnRabbitMq(Dictionary<string, string?> broker)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Storage:Provider"] = "Sqlite",
            ["Health:Port"] = "0",
            // Nothing listens there: the check must stop the start before any connection is tried.
            ["RabbitMqTransport:Host"] = "127.0.0.1",
            ["RabbitMqTransport:Port"] = "1",
            // TLS, which Production requires; the tests of plaintext turn it off.
            ["RabbitMqTransport:UseSsl"] = "true",
        };
        foreach (var (key, value) in broker)
        {
            settings[key] = value;
        }
        return new WorkerFactory(settings, environment: "Production");
    }

    [Fact]
    public async Task Refuses_the_brokers_default_guest_credentials_in_production()
    {
        await using var worker = ProductionOnRabbitMq(new() { ["RabbitMqTransport:User"] = "guest", ["RabbitMqTransport:Pass"] = "guest" });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains("RabbitMqTransport:User is 'guest', RabbitMQ's default user; it is refused in Production.", error.Message, StringComparison.Ordinal);
        Assert.Contains("RabbitMqTransport:Pass is RabbitMQ's default password 'guest'", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy/rabbitmq/broker-permissions.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_connect_without_a_broker_password_in_production()
    {
        await using var worker = ProductionOnRabbitMq(new() { ["RabbitMqTransport:User"] = "milestones-worker", ["RabbitMqTransport:Pass"] = "" });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains("RabbitMqTransport:Pass is empty; it is refused in Production.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RabbitMqTransport:User", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_messages_without_a_broker_validated_publisher_to_be_allowed_on_rabbitmq_in_production()
    {
        await using var worker = ProductionOnRabbitMq(new()
        {
            ["RabbitMqTransport:User"] = "milestones-worker",
            ["RabbitMqTransport:Pass"] = "s3cret",
            ["Messaging:RequirePublisherIdentity"] = "false",
        });

        var error = Assert.Throws<InvalidOperationException>(() => worker.Server);

        Assert.Contains("Messaging:RequirePublisherIdentity may be turned off in the Development environment or with the in-memory transport only", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Testing:CrashOnNote")]
    [InlineData("Testing:CrashAfterRecordingNote")]
    public async Task Refuses_a_test_only_switch_in_production(string key)
    {
        await using var worker = ProductionOnRabbitMq(new()
        {
            ["RabbitMqTransport:User"] = "milestones-worker",
            ["RabbitMqTransport:Pass"] = "s3cret",
            [key] = "crash here",
        });

        var error = Assert.Throws<InvalidOperationException>(() => worker.Server);

        Assert.Equal($"{key} is a test switch; it is refused in the Production environment.", error.Message);
    }

    [Fact]
    public async Task Refuses_the_default_credentials_when_the_configuration_names_no_broker_user_in_production()
    {
        // MassTransit's own defaults are guest/guest.
        await using var worker = ProductionOnRabbitMq([]);

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains("RabbitMqTransport:User is 'guest'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "guest", "guest", true)]
    [InlineData("Production", "milestones-worker", "s3cret", false)]
    [InlineData("Development", "guest", "guest", false)]
    [InlineData("Staging", "guest", "", false)]
    public void Accepts_the_default_credentials_only_where_allowed(string environment, string user, string pass, bool optOut)
    {
        var host = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment };
        var messaging = Options.Create(new Messaging.MessagingOptions { Transport = Messaging.MessagingTransport.RabbitMq, AllowDefaultBrokerCredentials = optOut });

        var result = new Messaging.RabbitMq.BrokerCredentials(host, messaging).Validate(null, new MassTransit.RabbitMqTransportOptions { User = user, Pass = pass });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task Refuses_plaintext_amqp_in_production()
    {
        await using var worker = ProductionOnRabbitMq(new()
        {
            ["RabbitMqTransport:User"] = "milestones-worker",
            ["RabbitMqTransport:Pass"] = "s3cret",
            ["RabbitMqTransport:UseSsl"] = "false",
        });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains("RabbitMqTransport:UseSsl is false: plaintext AMQP is refused in Production.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Security:AllowInsecureTransport=true allows it", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mongodb://milestones-user:s3cret@127.0.0.1:1/", "MongoDb:ConnectionString does not turn TLS on")]
    [InlineData("mongodb://milestones-user:s3cret@127.0.0.1:1/?tls=true&tlsInsecure=true", "MongoDb:ConnectionString has tlsInsecure=true, which asks for certificate checks to be switched off.")]
    [InlineData("mongodb://milestones-user:s3cret@127.0.0.1:1/?tls=true&tlsAllowInvalidHostnames=true", "MongoDb:ConnectionString has tlsAllowInvalidHostnames=true")]
    public async Task Refuses_mongodb_without_tls_or_with_certificate_checks_off_in_production(string connectionString, string expected)
    {
        await using var worker = new WorkerFactory(new()
        {
            ["Messaging:Transport"] = "InMemory",
            ["Storage:Provider"] = "MongoDb",
            ["MongoDb:ConnectionString"] = connectionString,
            ["Health:Port"] = "0",
        }, environment: "Production");

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("It is refused in Production", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", MessagingTransport.RabbitMq, false, true, true, true)]
    [InlineData("Production", MessagingTransport.RabbitMq, true, false, true, true)]
    [InlineData("Production", MessagingTransport.InMemory, false, false, true, false)]
    [InlineData("Development", MessagingTransport.RabbitMq, false, false, true, true)]
    [InlineData("Production", MessagingTransport.RabbitMq, false, false, false, false)]
    public void Accepts_plaintext_only_where_allowed(string environment, MessagingTransport transport, bool tls, bool optOut, bool brokerAccepted, bool mongoAccepted)
    {
        var host = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment };
        var security = new TransportSecurity(host, Options.Create(new SecurityOptions { AllowInsecureTransport = optOut }),
            Options.Create(new MessagingOptions { Transport = transport }));

        var broker = security.Validate(null, new MassTransit.RabbitMqTransportOptions { UseSsl = tls });
        var mongo = security.Validate(null, new MongoDbOptions { ConnectionString = $"mongodb://db.example:27017/?tls={tls}" });

        Assert.Equal(brokerAccepted, broker.Succeeded);
        Assert.Equal(mongoAccepted, mongo.Succeeded);
    }

    [Fact]
    public async Task Refuses_broker_tls_files_that_do_not_load()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.pem");
        await using var worker = ProductionOnRabbitMq(new()
        {
            ["RabbitMqTransport:User"] = "milestones-worker",
            ["RabbitMqTransport:Pass"] = "s3cret",
            ["BrokerTls:CaFile"] = missing,
            ["BrokerTls:ClientCertificateFile"] = missing,
        });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains($"BrokerTls:CaFile: The CA bundle {missing} cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Contains("BrokerTls:ClientCertificateFile and ClientKeyFile go together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_broker_tls_settings_while_tls_is_off()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        using var ca = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var caFile = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem(), Cancel);
        try
        {
            // Development: only the TLS settings' own consistency is checked there.
            await using var worker = new WorkerFactory(new()
            {
                ["Messaging:Transport"] = "RabbitMq",
                ["RabbitMqTransport:Host"] = "127.0.0.1",
                ["RabbitMqTransport:Port"] = "1",
                ["BrokerTls:CaFile"] = caFile,
            });

            var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

            Assert.Contains("BrokerTls is set but RabbitMqTransport:UseSsl is false", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("cannot be read", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task Runs_the_demo_to_a_completion_of_the_metro_line_and_leaves_the_terminal_open()
    {
        var console = new CapturingConsole();
        await using var worker = new WorkerFactory(new() { ["Demo:Enabled"] = "true" }, services: s =>
        {
            s.RemoveAll<DemoConsole>();
            s.AddSingleton<DemoConsole>(console);
        });
        await worker.Start();

        await Poll.Until(() => console.Text.Contains("Demo done", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => console.Text);
        var text = console.Text;
        Assert.Contains("ProjectCompleted received", text, StringComparison.Ordinal);
        Assert.Contains("\"projectName\": \"地铁16号线南段\"", text, StringComparison.Ordinal);
        Assert.Contains("== 地铁16号线南段 (Metro Line 16 South Section, subway-16-south) — COMPLETE", text, StringComparison.Ordinal);
        Assert.Contains("== 丽泽城市航站楼 (Lize City Air Terminal, lize-city-terminal) — not complete", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"projectId\": \"lize-city-terminal\"", text, StringComparison.Ordinal);
    }

    sealed class CapturingConsole : DemoConsole
    {
        readonly StringBuilder text = new();

        public string Text
        {
            get
            {
                lock (text)
                {
                    return text.ToString();
                }
            }
        }

        public override void Write(string value)
        {
            lock (text)
            {
                text.AppendLine(value);
            }
        }
    }
}
