namespace Encimap.AppHost;

/// <summary>
/// An endpoint a service listens on. Kestrel endpoints are handed to the service as
/// <c>Kestrel__Endpoints__{name}__Url</c>; gRPC ones are HTTP/2-only, since cleartext HTTP/2
/// between services needs prior knowledge. Other endpoints (SMTP, IMAP) go through
/// <see cref="ConfigurationKey"/>.
/// </summary>
public sealed record EndpointDefinition(string Name, int Port, string Scheme = "http", bool Http2Only = false, string? ConfigurationKey = null)
{
    public bool IsKestrel => ConfigurationKey is null;

    public string UrlFor(int portOffset) => $"{Scheme}://127.0.0.1:{Port + portOffset}";
}
