using System.Net;
using System.Security.Cryptography;
using System.Text;
using Encimap.Intake.Infrastructure;

namespace Encimap.Intake.Http;

/// <summary>
/// Who may use the HTTP intake. Two modes, chosen by configuration:
/// <list type="bullet">
/// <item><c>Intake:HttpToken</c> set: every request needs <c>Authorization: Bearer {token}</c>
/// (compared in constant time), from wherever it comes — for a Postfix on another host.
/// Missing or wrong token: 401.</item>
/// <item>no token configured: only loopback callers (127.0.0.0/8, ::1) — a Postfix on the same
/// host. Anyone else: 403. The intake listens on loopback by default anyway; this rule keeps an
/// endpoint bound to a public address from becoming an open door.</item>
/// </list>
/// There is no forwarded-header handling: a proxy in front would make every caller look local, so
/// configure a token when one is used.
/// </summary>
public static class HttpIntakeAccess
{
    public static IResult? Check(HttpContext http, IntakeOptions options)
    {
        if (!string.IsNullOrEmpty(options.HttpToken))
        {
            return HasToken(http, options.HttpToken)
                ? null
                : Error(StatusCodes.Status401Unauthorized, "unauthorized", "a valid bearer token is required");
        }

        return http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
            ? null
            : Error(StatusCodes.Status403Forbidden, "forbidden", "only local callers may deliver without a token");
    }

    private static bool HasToken(HttpContext http, string expected)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    private static IResult Error(int status, string code, string message)
    {
        var result = Results.Json(new { error = new { code, message } }, statusCode: status);
        return status == StatusCodes.Status401Unauthorized ? new WithChallenge(result) : result;
    }

    // 401 carries the scheme the client should use (RFC 9110 §11.6.1).
    private sealed class WithChallenge(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"encimap-intake\"";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
