using Encimap.Gateway.Authentication;
using Encimap.Gateway.Infrastructure;
using Encimap.ServiceDefaults.Security;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Encimap.Gateway.Proxy;

/// <summary>
/// <c>/api/encrypted-imap/{**rest}</c> → the API's <c>/s2s/v1/{**rest}</c> (query string kept),
/// streamed both ways without buffering. The destination is <c>http://api</c>, which service
/// discovery resolves to the API's http endpoint (configuration <c>services:api:http:0</c>).
/// </summary>
public static class ApiProxy
{
    public const string PublicPrefix = "/api/encrypted-imap";
    public const string ApiPrefix = "/s2s/v1";
    public const string ClusterId = "api";
    public const string RouteId = "encrypted-imap";

    /// <summary>The API's logical address, resolved by service discovery on every use.</summary>
    public static readonly Uri ApiAddress = new("http://api");

    /// <summary>Stops the process at start when nothing says where the API is.</summary>
    public static void RequireApiEndpoint(IConfiguration configuration)
    {
        if (!configuration.GetSection("services:api:http").GetChildren().Any(endpoint => !string.IsNullOrWhiteSpace(endpoint.Value)))
        {
            throw new InvalidOperationException("the API's address is not configured: set services:api:http:0 (services__api__http__0).");
        }
    }

    /// <summary>The S2S trust the gateway mints with; tokens live two minutes unless configured.</summary>
    public static JwtOptions S2sOptions(IConfiguration configuration)
    {
        var options = new JwtOptions { TokenLifetime = TimeSpan.FromMinutes(2) };
        configuration.GetSection(S2sAuthenticationExtensions.S2sSection).Bind(options);
        return options;
    }

    public static WebApplicationBuilder AddApiProxy(this WebApplicationBuilder builder)
    {
        // Built now, so that a missing key or address stops the process at start, not at the first request.
        var issuer = new JwtTokenIssuer(S2sOptions(builder.Configuration));
        RequireApiEndpoint(builder.Configuration);

        var route = new RouteConfig
        {
            RouteId = RouteId,
            ClusterId = ClusterId,
            AuthorizationPolicy = UserTokenAuthentication.Policy,
            Match = new RouteMatch { Path = PublicPrefix + "/{**rest}" },
        }
            .WithTransformPathRemovePrefix(PublicPrefix)
            .WithTransformPathPrefix(ApiPrefix);
        var cluster = new ClusterConfig
        {
            ClusterId = ClusterId,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["api"] = new() { Address = ApiAddress.AbsoluteUri },
            },
        };

        builder.Services.AddSingleton(issuer);
        builder.Services.AddReverseProxy()
            .LoadFromMemory([route], [cluster])
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms<S2sTokenExchange>();
        return builder;
    }

    public static WebApplication MapApiProxy(this WebApplication app)
    {
        // YARP's default pipeline, behind the translation of its failures into the envelope.
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(UpstreamErrorsAsync);
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }

    // The API's responses pass through untouched; when there is none (API down, unreachable, too
    // slow), YARP leaves an empty body and the error in IForwarderErrorFeature: answer with the
    // envelope instead, never with details of the failure.
    private static async Task UpstreamErrorsAsync(HttpContext context, Func<Task> next)
    {
        GatewayErrors.DisableStatusCodePages(context);
        await next();

        if (context.GetForwarderErrorFeature() is not { } failure || context.Response.HasStarted)
        {
            return;
        }

        var (status, code, message) = failure.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "api_timeout", "the API did not answer in time"),
            ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "api_unavailable", "the API is not available"),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient =>
                (context.Response.StatusCode, "request_aborted", "the request was aborted by the client"),
            _ => (StatusCodes.Status502BadGateway, "api_unreachable", "the API could not be reached"),
        };
        GatewayTelemetry.Rejected(code);
        context.Response.Headers.Clear();
        await GatewayErrors.WriteAsync(context, status, code, message);
    }
}
