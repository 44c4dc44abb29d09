using System.ComponentModel.DataAnnotations;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// Settings of the MongoDB store, bound from the <c>MongoDb</c> section:
/// <code>{ "Storage": { "Provider": "MongoDb" }, "MongoDb": { "DatabaseName": "milestones", "UseTls": true } }</code>
/// The connection string carries credentials, so it never lives in a checked-in file: set it with the environment
/// variable <c>MongoDb__ConnectionString</c> or mount it as the secret file <c>MongoDb__ConnectionString</c>
/// (a mounted secret file overrides the environment).
/// </summary>
public sealed class MongoDbOptions
{
    public const string SectionName = "MongoDb";

    /// <summary>A <c>mongodb://</c> or <c>mongodb+srv://</c> URL. Required; no default.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>Database holding the <c>projects</c> and <c>events</c> collections. Default <c>milestones</c>.</summary>
    [Required]
    public string DatabaseName { get; set; } = "milestones";

    /// <summary>Forces TLS on (true) or off (false). Default null: whatever the connection string says (<c>tls=true</c>).</summary>
    public bool? UseTls { get; set; }

    /// <summary>
    /// A PEM bundle of the CA certificates that issue the servers' certificates (a cluster's private CA). Set, the chain is
    /// validated against these only; unset, against the system's trust store. The .NET driver ignores the URL's
    /// <c>tlsCAFile</c>, so it is set here. Default: unset.
    /// </summary>
    public string? TlsCaFile { get; set; }

    /// <summary>A PEM client certificate (X.509 authentication or mutual TLS), with <see cref="TlsClientKeyFile"/>. Default: unset.</summary>
    public string? TlsClientCertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="TlsClientCertificateFile"/> (unencrypted, as in a Kubernetes TLS secret).</summary>
    public string? TlsClientKeyFile { get; set; }

    /// <summary>
    /// Write concern <c>w</c>: <c>majority</c> or a number of members (at least 1: the version check needs acknowledged
    /// writes). Default <c>majority</c>, so an acknowledged event survives a failover. Overrides the connection string.
    /// </summary>
    [Required]
    public string WriteConcern { get; set; } = "majority";

    /// <summary>Whether a write is acknowledged only once it is in the on-disk journal. Default true.</summary>
    public bool Journal { get; set; } = true;

    /// <summary>
    /// How long a write waits for its write concern (<c>wtimeout</c>) before it fails. Default 5 s. Without a limit, a
    /// replica set that lost its majority would hold every <c>w:majority</c> write, and the messages behind it, forever
    /// while every probe stays green; with one, the write fails with a write-concern error, which is an outage of the
    /// store: the message is held and retried, readiness says 503 and <c>milestones.store.outage</c> is 1. A write that
    /// timed out may still be applied later; recording it again finds it recorded. Must be above zero.
    /// </summary>
    public TimeSpan WriteConcernTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the driver waits for a server's reply on an open connection before it gives the connection up. Default
    /// 30 s (the driver's own default is no limit: a half-open connection would hang an operation forever). Must be
    /// above <see cref="WriteConcernTimeout"/>, so that a write waiting for its write concern fails with the server's
    /// answer rather than a cut connection.
    /// </summary>
    public TimeSpan SocketTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the driver retries a write once after a failover or network error. Default true.</summary>
    public bool RetryWrites { get; set; } = true;

    /// <summary>How long an operation waits for a usable server. Default null: the connection string's <c>serverSelectionTimeoutMS</c>, else the driver's 30 s.</summary>
    public TimeSpan? ServerSelectionTimeout { get; set; }

    /// <summary>How long the readiness check waits for MongoDB to answer a ping. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest <c>db.query.text</c> attribute on the driver's trace spans. Default 0: commands are not recorded in
    /// traces, because they carry event data.
    /// </summary>
    [Range(0, 1_000_000)]
    public int TraceQueryTextMaxLength { get; set; }
}
