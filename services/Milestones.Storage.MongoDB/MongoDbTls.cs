using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Milestones.ServiceDefaults;
using MongoDB.Driver;
using MongoDB.Driver.Core.Configuration;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// TLS to MongoDB: turned on by the URL's <c>tls=true</c> (or <c>mongodb+srv://</c>, or <see cref="MongoDbOptions.UseTls"/>);
/// the servers' certificates checked by <see cref="ServerCertificateTrust"/> against <see cref="MongoDbOptions.TlsCaFile"/>
/// or the system's trust store; an optional client certificate. Also says which settings are insecure, for the host to
/// refuse where it must, and which URL options the .NET driver would silently ignore.
/// </summary>
public static class MongoDbTls
{
    /// <summary>URL options of other drivers that the .NET driver accepts without applying them: whoever wrote them expects an effect.</summary>
    static readonly (string Option, string Instead)[] IgnoredByTheDriver =
    [
        ("tlsCAFile", $"{MongoDbOptions.SectionName}:{nameof(MongoDbOptions.TlsCaFile)}"),
        ("tlsCertificateKeyFile", $"{MongoDbOptions.SectionName}:{nameof(MongoDbOptions.TlsClientCertificateFile)} and {nameof(MongoDbOptions.TlsClientKeyFile)}"),
        ("tlsCertificateKeyFilePassword", $"an unencrypted key in {MongoDbOptions.SectionName}:{nameof(MongoDbOptions.TlsClientKeyFile)}"),
    ];

    /// <summary>URL options that ask for certificate checks to be switched off (the .NET driver honours the first two and ignores the others).</summary>
    static readonly string[] DisabledChecks = ["tlsInsecure", "sslVerifyCertificate", "tlsAllowInvalidCertificates", "tlsAllowInvalidHostnames"];

    /// <summary>The SSL settings of a TLS connection: every check on, the CA bundle and client certificate of the options.</summary>
    public static void Apply(MongoClientSettings settings, MongoDbOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        if (!settings.UseTls)
        {
            return;
        }
        var ssl = new SslSettings
        {
            // The platform's choice (TLS 1.2 or 1.3), not a pinned version.
            EnabledSslProtocols = SslProtocols.None,
            CheckCertificateRevocation = false,
        };
        // tlsInsecure=true (refused in Production) means the driver accepts any certificate; a callback of ours would contradict it.
        if (!settings.AllowInsecureTls)
        {
            var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(typeof(MongoDbTls).FullName!);
            ssl.ServerCertificateValidationCallback = new ServerCertificateTrust("MongoDB", options.TlsCaFile, logger).Validate;
        }
        if (options.TlsClientCertificateFile is { Length: > 0 } certificate && options.TlsClientKeyFile is { Length: > 0 } key)
        {
            ssl.ClientCertificates = [ServerCertificateTrust.LoadClientCertificate(certificate, key)];
        }
        settings.SslSettings = ssl;
    }

    /// <summary>Whether the connection uses TLS: the URL (<c>tls=true</c>, <c>mongodb+srv://</c>) unless <see cref="MongoDbOptions.UseTls"/> forces it.</summary>
    public static bool UsesTls(MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UseTls ?? (MongoDbClientSettings.TryParse(options.ConnectionString, out var url) && url.UseTls);
    }

    /// <summary>
    /// Settings that leave the connection open to eavesdropping or impersonation: no TLS, or a certificate check switched
    /// off. Each names its key; the connection string itself is never echoed. A host refuses these where it must (Production).
    /// </summary>
    public static IReadOnlyList<string> InsecureSettings(MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!MongoDbClientSettings.TryParse(options.ConnectionString, out _))
        {
            return failures; // reported by the validator already
        }
        if (!UsesTls(options))
        {
            failures.Add(options.UseTls == false
                ? $"{MongoDbOptions.SectionName}:UseTls is false: the connection to MongoDB would be plaintext."
                : $"{MongoDbOptions.SectionName}:ConnectionString does not turn TLS on (tls=true, or mongodb+srv://): the connection to MongoDB would be plaintext.");
        }
        var given = UrlOptions(options.ConnectionString);
        foreach (var option in DisabledChecks)
        {
            if (given.TryGetValue(option, out var value) && IsSet(option, value))
            {
                failures.Add($"{MongoDbOptions.SectionName}:ConnectionString has {option}={value}, which asks for certificate checks to be switched off.");
            }
        }
        return failures;
    }

    /// <summary>TLS settings that cannot work in any environment: files that do not load, options the driver would ignore.</summary>
    public static IReadOnlyList<string> Problems(MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!MongoDbClientSettings.TryParse(options.ConnectionString, out _))
        {
            return failures;
        }
        var given = UrlOptions(options.ConnectionString);
        foreach (var (option, instead) in IgnoredByTheDriver)
        {
            if (given.ContainsKey(option))
            {
                failures.Add($"{MongoDbOptions.SectionName}:ConnectionString has {option}, which the .NET driver ignores: set {instead} instead.");
            }
        }
        var configured = options.TlsCaFile is { Length: > 0 } || options.TlsClientCertificateFile is { Length: > 0 } || options.TlsClientKeyFile is { Length: > 0 };
        if (configured && !UsesTls(options))
        {
            failures.Add($"{MongoDbOptions.SectionName}:{nameof(MongoDbOptions.TlsCaFile)} or a client certificate is set but TLS is off (tls=true in the connection string, or {MongoDbOptions.SectionName}:UseTls=true).");
        }
        const string section = MongoDbOptions.SectionName;
        failures.AddRange(ServerCertificateTrust.FileProblems(
            $"{section}:{nameof(MongoDbOptions.TlsCaFile)}", options.TlsCaFile,
            $"{section}:{nameof(MongoDbOptions.TlsClientCertificateFile)}", options.TlsClientCertificateFile,
            nameof(MongoDbOptions.TlsClientKeyFile), options.TlsClientKeyFile));
        return failures;
    }

    /// <summary>A check is off when the option says so: <c>sslVerifyCertificate=false</c>, any of the others <c>=true</c>.</summary>
    static bool IsSet(string option, string value) =>
        option == "sslVerifyCertificate"
            ? string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)
            : string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL's options by name, case-insensitive as the driver reads them.</summary>
    static Dictionary<string, string> UrlOptions(string connectionString)
    {
        var parsed = new ConnectionString(connectionString);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in parsed.AllOptionNames)
        {
            result[name] = parsed.GetOption(name) ?? "";
        }
        return result;
    }
}
