using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Milestones.Storage.Tests.TestData;

/// <summary>
/// Certificates for the checks of a server's certificate, made in memory with the platform's <see cref="CertificateRequest"/>
/// (no server and no handshake: the checks get the certificate as a TLS client would) and written as PEM files where
/// a setting takes a file. Disposing removes the files.
/// </summary>
public sealed class TestTls : IDisposable
{
    readonly DirectoryInfo directory = System.IO.Directory.CreateTempSubdirectory("milestones-tls-");

    public TestTls()
    {
        Ca = CreateCa("Milestones Test CA");
        OtherCa = CreateCa("Some Other CA");
        CaFile = WritePem("ca.pem", Ca);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    /// <summary>The PEM bundle holding <see cref="Ca"/>.</summary>
    public string CaFile { get; }

    public string Directory => directory.FullName;

    /// <summary>A server certificate for <paramref name="dnsName"/> issued by <paramref name="issuer"/> (default <see cref="Ca"/>).</summary>
    public X509Certificate2 Server(string dnsName = "db.example", X509Certificate2? issuer = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string usage = "1.3.6.1.5.5.7.3.1")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        var signer = issuer ?? Ca;
        var from = notBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(1);
        using var issued = request.Create(signer, from, to, RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A client certificate and its key as PEM files, issued by <see cref="Ca"/>.</summary>
    public (string CertificateFile, string KeyFile) ClientFiles(string name = "milestones-worker")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        var certificateFile = WritePem($"{name}.pem", issued);
        var keyFile = Path.Combine(Directory, $"{name}.key");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    public string WritePem(string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // Older than any certificate it issues: the platform refuses to issue outside the issuer's own validity.
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(2));
    }

    public void Dispose()
    {
        Ca.Dispose();
        OtherCa.Dispose();
        directory.Delete(recursive: true);
    }
}
