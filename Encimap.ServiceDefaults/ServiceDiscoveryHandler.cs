namespace Encimap.ServiceDefaults;

/// <summary>
/// Rewrites requests addressed to a logical service name (<c>http://certificates/…</c>,
/// <c>http://_grpc.certificates/…</c>) to the endpoint that configuration gives for it.
/// Hosts with no configured service pass through unchanged.
/// </summary>
public sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && resolver.Resolve(uri.Host) is { } target)
        {
            request.RequestUri = new UriBuilder(uri)
            {
                Scheme = target.Scheme,
                Host = target.Host,
                Port = target.Port,
                Path = CombinePath(target.AbsolutePath, uri.AbsolutePath),
            }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static string CombinePath(string basePath, string path) =>
        basePath is "" or "/" ? path : basePath.TrimEnd('/') + path;
}
