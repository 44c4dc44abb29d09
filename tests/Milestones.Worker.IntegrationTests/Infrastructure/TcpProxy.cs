using System.Net;
using System.Net.Sockets;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// Listens on a loopback port and forwards every connection to the broker: "the broker appears" at an address where
/// nothing answered before, without restarting the shared test broker.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    readonly TcpListener listener;
    readonly CancellationTokenSource stop = new();
    readonly List<TcpClient> connections = [];
    readonly Task accepting;

    TcpProxy(int port, string targetHost, int targetPort)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        accepting = Accept(targetHost, targetPort);
    }

    public static TcpProxy Start(int port, string targetHost, int targetPort) => new(port, targetHost, targetPort);

    async Task Accept(string targetHost, int targetPort)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(targetHost, targetPort, stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (connections)
            {
                connections.Add(inbound);
                connections.Add(outbound);
            }
            _ = Pump(inbound.GetStream(), outbound.GetStream());
            _ = Pump(outbound.GetStream(), inbound.GetStream());
        }
    }

    async Task Pump(NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side closed.
        }
        finally
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        lock (connections)
        {
            connections.ForEach(c => c.Dispose());
        }
        await accepting;
        stop.Dispose();
    }
}
