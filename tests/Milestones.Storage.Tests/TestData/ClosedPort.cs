using System.Net;
using System.Net.Sockets;

namespace Milestones.Storage.Tests.TestData;

/// <summary>A loopback port nothing listens on: MongoDB "down" without faking a server.</summary>
public static class ClosedPort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A connection string with credentials to a closed port, failing fast.</summary>
    public static string ConnectionString(string user, string password) =>
        $"mongodb://{user}:{password}@127.0.0.1:{Find()}/?serverSelectionTimeoutMS=300&connectTimeoutMS=300";
}
