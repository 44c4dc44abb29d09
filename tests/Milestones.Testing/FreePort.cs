using System.Net;
using System.Net.Sockets;

namespace Milestones.Testing;

public static class FreePort
{
    // Below the ephemeral ranges (Linux 32768-60999, Windows and macOS 49152-65535): the OS never gives these ports to
    // outgoing connections, so a port found free here stays free until the test binds it. An OS-picked port (port 0) did
    // not: between its release and the test's bind, another socket of the machine could take it.
    const int First = 20_000;
    const int End = 32_768;

    static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A TCP port nobody listens on now, on any address, that this process has not handed out before; a test binds it
    /// right after.
    /// </summary>
    public static int Next()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(First, End);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"No free TCP port between {First} and {End - 1}.");
    }

    /// <summary>A loopback port nobody listens on: taken and released, so connecting to it is refused (a server "down" without faking one).</summary>
    public static int Closed() => Next();

    /// <summary>A MongoDB connection string with credentials to a closed port, failing fast.</summary>
    public static string ClosedMongoDb(string user, string password) =>
        $"mongodb://{user}:{password}@127.0.0.1:{Closed()}/?serverSelectionTimeoutMS=300&connectTimeoutMS=300";

    /// <summary>Whether the port can be bound on every address (as the worker's probes bind it: <c>http://*:port</c>).</summary>
    static bool IsFree(int port)
    {
        try
        {
            using var socket = Socket.OSSupportsIPv6
                ? new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true }
                : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
