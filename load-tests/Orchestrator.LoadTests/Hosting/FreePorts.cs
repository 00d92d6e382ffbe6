using System.Net;
using System.Net.Sockets;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>Free loopback ports, picked at runtime.</summary>
internal static class FreePorts
{
    /// <summary>Ports free right now, all different.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return listener;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
