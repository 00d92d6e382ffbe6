using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Storage.Tests.Support;

/// <summary>Picks TCP ports that are free on 127.0.0.1 right now.</summary>
public static class FreePort
{
    /// <summary>A port no listener holds at the moment of the call.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
