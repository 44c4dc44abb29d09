using System.Globalization;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.IntegrationTests.Operations;

namespace Milestones.Worker.IntegrationTests.Tls;

/// <summary>
/// The ops commands' own broker connection takes the worker's TLS settings (<c>BrokerTls</c>) and checks: against a TLS
/// listener of the real broker, <c>errors list</c> connects when the certificate comes from the configured CA and is
/// refused (exit status 1, nothing read) when it comes from another CA.
/// </summary>
public sealed class Ops_commands_over_tls(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task Errors_list_connects_with_the_configured_ca_and_is_refused_a_certificate_from_another()
    {
        BrokerEnvironment.RequireControl();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        using var directory = Paths.NewTempDirectory();
        // A worker declares the sink queues (over the plaintext port), then stops.
        await (await InProcessWorker.Start(vhost)).DisposeAsync();

        await using (var valid = await BrokerTlsListener.Open(certificates.Valid))
        {
            var listed = await OpsCli.Run(Settings(vhost, directory, valid), "errors", "list", "--json");
            Assert.True(listed.ExitCode == 0, listed.ToString());
            // The listener's port speaks nothing but TLS: the command read the (empty) sink queues over it.
            Assert.Empty(listed.Messages(Queues.Error));
        }

        await using var other = await BrokerTlsListener.Open(certificates.FromAnotherCa);
        var refused = await OpsCli.Run(Settings(vhost, directory, other), "errors", "list", "--json");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("cannot connect to RabbitMQ", refused.Error, StringComparison.Ordinal);
    }

    /// <summary>The test virtual host's settings, with the port and TLS settings of the listener in place of the plaintext ones.</summary>
    Dictionary<string, string?> Settings(TestVirtualHost vhost, TempDirectory directory, BrokerTlsListener listener)
    {
        var settings = vhost.TransportSettings().Concat(OpsCli.StoreSettings(directory.File("cli.db"))).ToDictionary();
        settings["RabbitMqTransport:Port"] = listener.Port.ToString(CultureInfo.InvariantCulture);
        settings["RabbitMqTransport:UseSsl"] = "true";
        settings["BrokerTls:ServerName"] = TestCertificates.BrokerName;
        settings["BrokerTls:CaFile"] = certificates.Ca.CertificateFile;
        settings["Security:AllowInsecureTransport"] = "false";
        return settings;
    }
}
