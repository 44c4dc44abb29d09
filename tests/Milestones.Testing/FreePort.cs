using System.Net;
using System.Net.Sockets;

namespace Milestones.Testing;

public static class FreePort
{
    /// <summary>A TCP port free right now (the OS picks it); a test binds it right after.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A loopback port nobody listens on: taken and released, so connecting to it is refused (a server "down" without faking one).</summary>
    public static int Closed() => Next();

    /// <summary>A MongoDB connection string with credentials to a closed port, failing fast.</summary>
    public static string ClosedMongoDb(string user, string password) =>
        $"mongodb://{user}:{password}@127.0.0.1:{Closed()}/?serverSelectionTimeoutMS=300&connectTimeoutMS=300";
}
