using System.Net.Http.Headers;
using Encimap.Gateway.Authentication;
using Encimap.ServiceDefaults.Security;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Encimap.Gateway.Proxy;

/// <summary>
/// The request transform of every proxied route: the user's credentials stay at the gateway and
/// the API receives a short-lived S2S JWT (<c>Jwt:S2S</c>) minted for the same user id.
/// Headers a client could use to impersonate a hop or a session are dropped as well; YARP itself
/// removes the hop-by-hop headers and replaces any incoming <c>X-Forwarded-*</c> with its own.
/// </summary>
public sealed class S2sTokenExchange(JwtTokenIssuer issuer) : ITransformProvider
{
    /// <summary>Incoming headers that never reach the API.</summary>
    public static readonly IReadOnlyList<string> StrippedHeaders =
        ["Authorization", "Proxy-Authorization", "Cookie", "Forwarded", "X-Real-IP"];

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddRequestTransform(transform =>
    {
        foreach (var header in StrippedHeaders)
        {
            RequestTransform.TakeHeader(transform, header);
        }

        // The route requires the user policy, so an unauthenticated request cannot get here; if
        // one ever did, failing the transform answers 502 rather than forwarding it anonymously.
        var userId = UserTokenAuthentication.UserId(transform.HttpContext.User)
            ?? throw new InvalidOperationException("a proxied request carries no authenticated user");
        transform.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Mint(userId.ToString()));
        return ValueTask.CompletedTask;
    });
}
