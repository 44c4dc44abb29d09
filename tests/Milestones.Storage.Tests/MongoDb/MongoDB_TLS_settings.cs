using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Milestones.ServiceDefaults;
using Milestones.Storage.MongoDB;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// TLS to MongoDB, without a server: which client settings the options give, what the certificate check of those settings
/// accepts and refuses (the driver calls it with the server's certificate during the handshake; here the test does), which
/// settings are insecure and which cannot work. No message echoes the connection string.
/// </summary>
public sealed class MongoDB_TLS_settings : IDisposable
{
    const string Password = "Pa55-w0rd-SECRET-7f3a";
    readonly TestTls tls = new();

    static MongoDbOptions Options(string query, Action<MongoDbOptions>? configure = null)
    {
        var options = new MongoDbOptions { ConnectionString = $"mongodb://milestones-user:{Password}@db.example:27017/{query}" };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public void Without_tls_the_driver_gets_no_certificate_settings()
    {
        var settings = MongoDbClientSettings.Create(Options(""));

        Assert.False(settings.UseTls);
        Assert.Null(settings.SslSettings?.ServerCertificateValidationCallback);
    }

    [Fact]
    public void With_tls_every_check_is_on_and_revocation_is_left_to_the_ca()
    {
        var settings = MongoDbClientSettings.Create(Options("?tls=true"));

        Assert.True(settings.UseTls);
        Assert.False(settings.AllowInsecureTls);
        Assert.NotNull(settings.SslSettings.ServerCertificateValidationCallback);
        Assert.Equal(System.Security.Authentication.SslProtocols.None, settings.SslSettings.EnabledSslProtocols);
    }

    [Fact]
    public void A_server_certificate_from_the_configured_ca_is_accepted()
    {
        var check = Check(Options("?tls=true", o => o.TlsCaFile = tls.CaFile), out var logs);
        using var server = tls.Server();

        // The platform found no trusted root (the CA is in no system store), and the check decides against the bundle.
        Assert.True(check(server, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Empty(logs.GetSnapshot());
    }

    [Fact]
    public void A_server_certificate_from_another_ca_is_refused_with_a_log_line_naming_the_check()
    {
        var check = Check(Options("?tls=true", o => o.TlsCaFile = tls.CaFile), out var logs);
        using var server = tls.Server(issuer: tls.OtherCa);

        Assert.False(check(server, SslPolicyErrors.RemoteCertificateChainErrors));
        var line = Assert.Single(logs.GetSnapshot());
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("TLS to MongoDB at db.example refused: the certificate is not issued by a trusted CA (issuer CN=Some Other CA)", line.Message, StringComparison.Ordinal);
        Assert.Contains(tls.CaFile, line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_server_certificate_is_refused()
    {
        var check = Check(Options("?tls=true", o => o.TlsCaFile = tls.CaFile), out var logs);
        using var server = tls.Server(notBefore: DateTimeOffset.UtcNow.AddDays(-30), notAfter: DateTimeOffset.UtcNow.AddDays(-1));

        Assert.False(check(server, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains("the certificate expired on ", Assert.Single(logs.GetSnapshot()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_certificate_for_another_host_is_refused_even_from_the_configured_ca()
    {
        var check = Check(Options("?tls=true", o => o.TlsCaFile = tls.CaFile), out var logs);
        using var server = tls.Server(dnsName: "other-db.example");

        // The platform compares the name with the host it connected to and says so in the policy errors.
        Assert.False(check(server, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains("host name mismatch: the certificate is for other-db.example, not db.example", Assert.Single(logs.GetSnapshot()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_not_meant_for_servers_is_refused()
    {
        var check = Check(Options("?tls=true", o => o.TlsCaFile = tls.CaFile), out var logs);
        using var client = tls.Server(usage: "1.3.6.1.5.5.7.3.2");

        Assert.False(check(client, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains("not valid for TLS server authentication", Assert.Single(logs.GetSnapshot()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_ca_bundle_the_system_trust_store_decides()
    {
        var callback = MongoDbClientSettings.Create(Options("?tls=true")).SslSettings.ServerCertificateValidationCallback;
        using var server = tls.Server();
        using var chain = new X509Chain();
        using var stream = new SslStream(new MemoryStream());

        Assert.True(callback(stream, server, chain, SslPolicyErrors.None));
        Assert.False(callback(stream, server, chain, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void The_client_certificate_is_loaded_from_its_pem_files()
    {
        var (certificate, key) = tls.ClientFiles();

        var settings = MongoDbClientSettings.Create(Options("?tls=true", o => (o.TlsClientCertificateFile, o.TlsClientKeyFile) = (certificate, key)));

        var loaded = Assert.IsType<X509Certificate2>(Assert.Single(settings.SslSettings.ClientCertificates));
        Assert.Equal("CN=milestones-worker", loaded.Subject);
        Assert.True(loaded.HasPrivateKey);
    }

    [Theory]
    [InlineData("", null, "MongoDb:ConnectionString does not turn TLS on (tls=true, or mongodb+srv://)")]
    [InlineData("?tls=true", false, "MongoDb:UseTls is false")]
    [InlineData("?tls=true&tlsInsecure=true", null, "MongoDb:ConnectionString has tlsInsecure=true")]
    [InlineData("?ssl=true&sslVerifyCertificate=false", null, "MongoDb:ConnectionString has sslVerifyCertificate=false")]
    [InlineData("?tls=true&tlsAllowInvalidCertificates=true", null, "MongoDb:ConnectionString has tlsAllowInvalidCertificates=true")]
    [InlineData("?tls=true&tlsAllowInvalidHostnames=true", null, "MongoDb:ConnectionString has tlsAllowInvalidHostnames=true")]
    public void Insecure_settings_are_named_by_their_key(string query, bool? useTls, string expected)
    {
        var failures = MongoDbTls.InsecureSettings(Options(query, o => o.UseTls = useTls));

        var failure = Assert.Single(failures);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mongodb://db.example:27017/?tls=true", null)]
    [InlineData("mongodb://db.example:27017", true)]
    [InlineData("mongodb+srv://cluster.example/", null)]
    [InlineData("mongodb://db.example:27017/?tls=true&tlsAllowInvalidHostnames=false", null)]
    public void Tls_with_every_check_on_is_not_insecure(string connectionString, bool? useTls)
    {
        Assert.Empty(MongoDbTls.InsecureSettings(new MongoDbOptions { ConnectionString = connectionString, UseTls = useTls }));
    }

    [Fact]
    public void Url_options_the_dotnet_driver_would_ignore_are_refused_with_the_setting_to_use_instead()
    {
        var result = new MongoDbOptionsValidator().Validate(null, Options("?tls=true&tlsCAFile=/etc/ssl/ca.pem&tlsCertificateKeyFile=/etc/ssl/client.pem"));

        Assert.True(result.Failed);
        Assert.Contains("MongoDb:ConnectionString has tlsCAFile, which the .NET driver ignores: set MongoDb:TlsCaFile instead.", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("has tlsCertificateKeyFile, which the .NET driver ignores: set MongoDb:TlsClientCertificateFile and TlsClientKeyFile instead.", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_files_that_cannot_work_are_refused_at_start()
    {
        var missing = Path.Combine(tls.Directory, "missing.pem");
        var (certificate, _) = tls.ClientFiles();

        var noCa = new MongoDbOptionsValidator().Validate(null, Options("?tls=true", o => o.TlsCaFile = missing));
        var caWithoutTls = new MongoDbOptionsValidator().Validate(null, Options("", o => o.TlsCaFile = tls.CaFile));
        var certificateWithoutKey = new MongoDbOptionsValidator().Validate(null, Options("?tls=true", o => o.TlsClientCertificateFile = certificate));

        Assert.Contains($"MongoDb:TlsCaFile: The CA bundle {missing} cannot be read", noCa.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MongoDb:TlsCaFile or a client certificate is set but TLS is off", caWithoutTls.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MongoDb:TlsClientCertificateFile and TlsClientKeyFile go together", certificateWithoutKey.FailureMessage, StringComparison.Ordinal);
        Assert.True(new MongoDbOptionsValidator().Validate(null, Options("?tls=true", o => o.TlsCaFile = tls.CaFile)).Succeeded);
    }

    /// <summary>
    /// The check the driver's settings carry, called as the handshake calls it for a connection to db.example: the
    /// certificate, the platform's own chain and its policy errors (name mismatch, untrusted root).
    /// </summary>
    static Func<X509Certificate2, SslPolicyErrors, bool> Check(MongoDbOptions options, out FakeLogCollector logs)
    {
        var collector = new FakeLogCollector();
        logs = collector;
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(collector)));
        var callback = MongoDbClientSettings.Create(options, factory).SslSettings.ServerCertificateValidationCallback;
        // The handshake's stream knows the host it connected to; without a handshake the test names it.
        var trust = Assert.IsType<ServerCertificateTrust>(callback.Target);
        return (certificate, errors) =>
        {
            using var chain = new X509Chain();
            return trust.Validate("db.example", certificate, chain, errors);
        };
    }

    public void Dispose() => tls.Dispose();
}
