using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Milestones.ServiceDefaults;

/// <summary>
/// Checks the certificate a server (the broker, the database) presents during the TLS handshake, and logs which check
/// failed and for which host when it refuses one. Every check stays on: the host name must match, the certificate must
/// be within its validity period and issued for server authentication, and its chain must end at a trusted root. With
/// a CA bundle (a cluster's private CA), the chain is built against that bundle only
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>); without one, the system's trust store decides, as it would for
/// any TLS client. Revocation is not checked (the .NET and MongoDB clients' default too): a private CA commonly
/// publishes no revocation list, and one that cannot be fetched would refuse every connection.
/// </summary>
public sealed class ServerCertificateTrust
{
    /// <summary>The extended key usage a server certificate must allow: TLS server authentication.</summary>
    static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    readonly X509Certificate2Collection? customRoots;
    readonly ILogger logger;
    readonly string peer;
    readonly string caDescription;

    /// <param name="peer">What the connection is to, for the log line ("RabbitMQ", "MongoDB").</param>
    /// <param name="caFile">A PEM bundle of the CA certificates to trust instead of the system's; null: the system's trust store.</param>
    /// <param name="logger">Where a refusal is logged, as an error.</param>
    public ServerCertificateTrust(string peer, string? caFile, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        this.peer = peer;
        this.logger = logger;
        if (!string.IsNullOrWhiteSpace(caFile))
        {
            customRoots = LoadCaBundle(caFile);
            caDescription = $"the CA bundle {caFile}";
        }
        else
        {
            caDescription = "the system's trust store";
        }
    }

    /// <summary>The CA certificates of a PEM bundle; a file that is missing, unreadable or holds none throws, naming the file.</summary>
    public static X509Certificate2Collection LoadCaBundle(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"The CA bundle {path} cannot be read: {ex.Message}", ex);
        }
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"The CA bundle {path} holds no PEM certificate.");
        }
        return roots;
    }

    /// <summary>A client certificate with its private key, from PEM files (a Kubernetes TLS secret's <c>tls.crt</c> and <c>tls.key</c>).</summary>
    public static X509Certificate2 LoadClientCertificate(string certificateFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"The client certificate {certificateFile} (key {keyFile}) cannot be loaded: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// What is wrong with a connection's TLS files, for options validation at start: a CA bundle or client certificate
    /// that does not load, a certificate without its key or a key without its certificate. Each message names the key
    /// (<paramref name="caKey"/>, <paramref name="certificateKey"/>, <paramref name="keyKey"/>: full configuration keys).
    /// </summary>
    public static IReadOnlyList<string> FileProblems(
        string caKey, string? caFile, string certificateKey, string? certificateFile, string keyKey, string? keyFile)
    {
        var problems = new List<string>();
        if (caFile is { Length: > 0 })
        {
            try
            {
                LoadCaBundle(caFile);
            }
            catch (InvalidOperationException ex)
            {
                problems.Add($"{caKey}: {ex.Message}");
            }
        }
        if (string.IsNullOrEmpty(certificateFile) != string.IsNullOrEmpty(keyFile))
        {
            problems.Add($"{certificateKey} and {keyKey} go together: set both or neither.");
        }
        else if (certificateFile is { Length: > 0 })
        {
            try
            {
                LoadClientCertificate(certificateFile, keyFile!).Dispose();
            }
            catch (InvalidOperationException ex)
            {
                problems.Add($"{certificateKey}: {ex.Message}");
            }
        }
        return problems;
    }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>: true when the certificate passes every check; otherwise logs why and refuses it.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The host the connection asked for: the stream knows it; the name is only for the log line.
        var host = sender is SslStream { TargetHostName: { Length: > 0 } target } ? target : "(unknown host)";
        return Validate(host, certificate, chain, errors);
    }

    /// <summary>As <see cref="Validate(object, X509Certificate?, X509Chain?, SslPolicyErrors)"/>, for a connection to <paramref name="host"/>.</summary>
    public bool Validate(string host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var refusal = Check(certificate, chain, errors, customRoots, host);
        if (refusal is null)
        {
            return true;
        }
        logger.LogError("TLS to {Peer} at {Host} refused: {Reason} (trusted: {TrustedCa})", peer, host, refusal, caDescription);
        return false;
    }

    /// <summary>Null when the certificate passes every check, else what failed, in words.</summary>
    public static string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? customRoots, string host)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server presented no certificate";
        }
        using var leaf = new X509Certificate2(certificate);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"host name mismatch: the certificate is for {Names(leaf)}, not {host} (subject {leaf.Subject}, issuer {leaf.Issuer})";
        }
        if (customRoots is null)
        {
            // The platform built the chain against the system's trust store; report its statuses if it failed.
            return errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                ? Describe(leaf, chain?.ChainStatus ?? [])
                : null;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(customRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        // Intermediates the server sent along are candidates for the chain, never trust anchors.
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }
        return custom.Build(leaf) ? null : Describe(leaf, custom.ChainStatus);
    }

    static string Describe(X509Certificate2 leaf, X509ChainStatus[] statuses)
    {
        var flags = statuses.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);
        var reasons = new List<string>();
        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            var now = DateTime.Now;
            reasons.Add(leaf.NotAfter < now
                ? $"the certificate expired on {leaf.NotAfter.ToUniversalTime():u}"
                : leaf.NotBefore > now
                    ? $"the certificate is not valid before {leaf.NotBefore.ToUniversalTime():u}"
                    : "a certificate of its chain is outside its validity period");
        }
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            reasons.Add($"the certificate is not issued by a trusted CA (issuer {leaf.Issuer})");
        }
        if (flags.HasFlag(X509ChainStatusFlags.NotValidForUsage))
        {
            reasons.Add("the certificate is not valid for TLS server authentication");
        }
        var other = flags & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotValidForUsage);
        if (other != X509ChainStatusFlags.NoError || reasons.Count == 0)
        {
            reasons.Add($"certificate chain: {other}");
        }
        return $"{string.Join("; ", reasons)} (subject {leaf.Subject})";
    }

    static string Names(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(san => san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())))
            .ToList();
        return names.Count > 0 ? string.Join(", ", names) : certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
    }
}
