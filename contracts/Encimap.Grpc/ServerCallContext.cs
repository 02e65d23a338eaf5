using System.Net;
using Microsoft.AspNetCore.Http;

namespace Encimap.Grpc;

/// <summary>What a server handler knows about the call besides its request message.</summary>
public sealed class ServerCallContext
{
    internal ServerCallContext(HttpContext httpContext, string method, DateTime deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The method's path, <c>/{service}/{method}</c>.</summary>
    public string Method { get; }

    /// <summary>When the client stops waiting (UTC), from <c>grpc-timeout</c>; DateTime.MaxValue without one.</summary>
    public DateTime Deadline { get; }

    /// <summary>Cancelled when the deadline passes or the client cancels: pass it to everything the handler awaits.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The request metadata (custom headers; the transport's own are there too).</summary>
    public IHeaderDictionary RequestHeaders => HttpContext.Request.Headers;

    /// <summary>The client's address in gRPC's notation: <c>ipv4:127.0.0.1:5000</c>, <c>ipv6:[::1]:5000</c>.</summary>
    public string Peer => FormatPeer(HttpContext.Connection.RemoteIpAddress, HttpContext.Connection.RemotePort);

    /// <summary>
    /// Custom trailers sent with the status, whatever the status. Names must be lower-case ASCII;
    /// <c>grpc-*</c> names are the transport's and are ignored.
    /// </summary>
    public IDictionary<string, string> ResponseTrailers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The underlying request, for what this type does not cover (user, connection features).</summary>
    public HttpContext HttpContext { get; }

    private static string FormatPeer(IPAddress? address, int port) => address switch
    {
        null => "unknown",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } when address.IsIPv4MappedToIPv6 =>
            $"ipv4:{address.MapToIPv4()}:{port}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"ipv6:[{address}]:{port}",
        _ => $"ipv4:{address}:{port}",
    };
}
