using System.Diagnostics;
using Testcontainers.MongoDb;

[assembly: AssemblyFixture(typeof(Milestones.Storage.Tests.Contract.MongoDbServer))]

namespace Milestones.Storage.Tests.Contract;

/// <summary>
/// Finds a real MongoDB for the tests, once per run: the connection string in <c>MILESTONES_TEST_MONGODB</c>, else a
/// single-node replica set in a container when a Docker engine answers. A URL with <c>tls=true</c> connects over TLS,
/// with the store's own certificate checks (and the CA bundle of <see cref="TlsCaFileVariable"/>). Otherwise every MongoDB test is skipped with
/// the reason (or fails, when <c>MILESTONES_REQUIRE_MONGODB=1</c>). Never a fake server.
/// </summary>
public sealed class MongoDbServer : IAsyncLifetime
{
    public const string ConnectionStringVariable = "MILESTONES_TEST_MONGODB";
    public const string RequireVariable = "MILESTONES_REQUIRE_MONGODB";

    /// <summary>
    /// For a server whose URL asks for TLS (<c>tls=true</c>) with certificates from a private CA: the CA bundle, and a
    /// client certificate and key when the server requires one (PEM files; see MongoDbOptions.TlsCaFile and friends).
    /// </summary>
    public const string TlsCaFileVariable = "MILESTONES_TEST_MONGODB_TLS_CA_FILE";
    public const string TlsCertificateFileVariable = "MILESTONES_TEST_MONGODB_TLS_CERTIFICATE_FILE";
    public const string TlsKeyFileVariable = "MILESTONES_TEST_MONGODB_TLS_KEY_FILE";

    /// <summary>The store's options for this server's URL, with the TLS files of the variables above when they are set.</summary>
    public static Milestones.Storage.MongoDB.MongoDbOptions Options(string connectionString, string databaseName) => new()
    {
        ConnectionString = connectionString,
        DatabaseName = databaseName,
        TlsCaFile = Environment.GetEnvironmentVariable(TlsCaFileVariable) is { Length: > 0 } ca ? ca : null,
        TlsClientCertificateFile = Environment.GetEnvironmentVariable(TlsCertificateFileVariable) is { Length: > 0 } certificate ? certificate : null,
        TlsClientKeyFile = Environment.GetEnvironmentVariable(TlsKeyFileVariable) is { Length: > 0 } key ? key : null,
    };

    MongoDbContainer? container;

    public string? ConnectionString { get; private set; }

    /// <summary>Why there is no server; null when there is one.</summary>
    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } configured)
        {
            ConnectionString = configured;
            return;
        }
        if (await DockerEngineAnswers() is { } dockerProblem)
        {
            Unavailable = $"no MongoDB server: {ConnectionStringVariable} is not set and no Docker engine answers for Testcontainers ({dockerProblem})";
            return;
        }
        container = new MongoDbBuilder("mongo:8.0").WithReplicaSet("rs0").Build();
        await container.StartAsync();
        ConnectionString = container.GetConnectionString();
    }

    /// <summary>The connection string, or the test ends here: skipped with the reason, or failed when a server is required.</summary>
    public string Require()
    {
        if (ConnectionString is { } connectionString)
        {
            return connectionString;
        }
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but {Unavailable}");
        }
        Assert.Skip(Unavailable!);
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (container is not null)
        {
            await container.DisposeAsync();
        }
    }

    /// <summary>Null when <c>docker info</c> succeeds, else what went wrong.</summary>
    static async Task<string?> DockerEngineAnswers()
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"`docker` could not run: {ex.Message}";
        }
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                var error = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.StandardOutput.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                return process.ExitCode == 0 ? null : $"`docker info` exited with {process.ExitCode}: {(await error).Trim()}";
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return "`docker info` did not answer within 20 s";
            }
        }
    }
}
