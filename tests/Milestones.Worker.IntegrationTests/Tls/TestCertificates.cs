using System.Globalization;

namespace Milestones.Worker.IntegrationTests.Tls;

/// <summary>A certificate and its unencrypted private key, as PEM files.</summary>
public sealed record IssuedCertificate(string CertificateFile, string KeyFile);

/// <summary>
/// A throwaway certificate authority made with openssl in a directory of the test's own: its key, its self-signed
/// certificate, and an <c>openssl ca</c> database, so that it can issue certificates with any validity period
/// (an expired one included: OpenSSL 3.0's <c>x509 -req</c> has only <c>-days</c>, <c>ca</c> has <c>-startdate</c>/<c>-enddate</c>).
/// </summary>
public sealed class CertificateAuthority
{
    readonly string directory;
    int issued;

    CertificateAuthority(string directory, string name)
    {
        this.directory = directory;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The CA's certificate: the bundle a client trusts.</summary>
    public string CertificateFile => Path.Combine(directory, "ca.pem");

    string KeyFile => Path.Combine(directory, "ca.key");

    string Config => Path.Combine(directory, "ca.cnf");

    public static async Task<CertificateAuthority> Create(string parent, string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(parent, name.Replace(' ', '-'))).FullName;
        var ca = new CertificateAuthority(directory, name);
        await File.WriteAllTextAsync(Path.Combine(directory, "index.txt"), "");
        await File.WriteAllTextAsync(Path.Combine(directory, "serial"), "1000\n");
        await File.WriteAllTextAsync(ca.Config, $"""
            [ ca ]
            default_ca = test_ca
            [ test_ca ]
            database = {directory}/index.txt
            serial = {directory}/serial
            new_certs_dir = {directory}
            default_md = sha256
            policy = any
            unique_subject = no
            [ any ]
            commonName = supplied
            """);
        await OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", ca.KeyFile, "-out", ca.CertificateFile, "-days", "2", "-subj", $"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /// <summary>A server certificate for <paramref name="dnsNames"/>, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public Task<IssuedCertificate> IssueServer(string commonName, string[] dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        Issue(commonName, notBefore, notAfter,
            "basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth",
            $"subjectAltName={string.Join(',', dnsNames.Select(n => $"DNS:{n}"))}");

    /// <summary>A client certificate (TLS client authentication), valid for a day around now.</summary>
    public Task<IssuedCertificate> IssueClient(string commonName) =>
        Issue(commonName, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1),
            "basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth");

    async Task<IssuedCertificate> Issue(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter, params string[] extensions)
    {
        var stem = Path.Combine(directory, $"issued-{Interlocked.Increment(ref issued)}");
        var result = new IssuedCertificate(stem + ".pem", stem + ".key");
        await File.WriteAllLinesAsync(stem + ".ext", extensions);
        await OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", result.KeyFile, "-out", stem + ".csr", "-subj", $"/CN={commonName}");
        await OpenSsl("ca", "-batch", "-config", Config, "-cert", CertificateFile, "-keyfile", KeyFile, "-in", stem + ".csr", "-out", result.CertificateFile,
            "-startdate", Stamp(notBefore), "-enddate", Stamp(notAfter), "-extfile", stem + ".ext", "-notext");
        return result;
    }

    static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture);

    static Task<string> OpenSsl(params string[] arguments) => TestVirtualHost.Run("openssl", arguments);
}

/// <summary>
/// The certificates of the TLS tests, made once per test class: the cluster's CA and what it issues (a valid server
/// certificate for <c>localhost</c>, an expired one, one for another host, a client certificate), and a certificate
/// for <c>localhost</c> from another CA, which the worker does not trust.
/// </summary>
public sealed class TestCertificates : IAsyncLifetime
{
    /// <summary>The name the worker expects the broker's certificate to carry.</summary>
    public const string BrokerName = "localhost";

    readonly TempDirectory directory = new();

    public CertificateAuthority Ca { get; private set; } = null!;

    public IssuedCertificate Valid { get; private set; } = null!;

    public IssuedCertificate Expired { get; private set; } = null!;

    public IssuedCertificate OtherHost { get; private set; } = null!;

    public IssuedCertificate FromAnotherCa { get; private set; } = null!;

    public IssuedCertificate Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        Ca = await CertificateAuthority.Create(directory.Path, "Milestones Test CA");
        var other = await CertificateAuthority.Create(directory.Path, "Some Other CA");
        Valid = await Ca.IssueServer(BrokerName, [BrokerName], now.AddHours(-1), now.AddDays(1));
        Expired = await Ca.IssueServer(BrokerName, [BrokerName], now.AddDays(-30), now.AddDays(-1));
        OtherHost = await Ca.IssueServer("other-broker.example", ["other-broker.example"], now.AddHours(-1), now.AddDays(1));
        FromAnotherCa = await other.IssueServer(BrokerName, [BrokerName], now.AddHours(-1), now.AddDays(1));
        Client = await Ca.IssueClient("milestones-worker");
    }

    public ValueTask DisposeAsync()
    {
        directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
