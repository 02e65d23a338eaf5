using System.Net;
using System.Net.Sockets;

namespace Encimap.Testing;

/// <summary>Ports on 127.0.0.1 for what the tests run themselves (never a fixed number: test projects run side by side).</summary>
public static class LoopbackPort
{
    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
