using System.Net;
using System.Net.Sockets;

namespace Milestones.Telemetry.Tests.Infrastructure;

static class FreePort
{
    /// <summary>A TCP port free right now (the OS picks it); a test binds it right after.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port nobody listens on: taken and released, so connecting to it is refused.</summary>
    public static int Closed() => Next();
}
