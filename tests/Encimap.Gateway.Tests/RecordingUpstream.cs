using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Encimap.Gateway.Tests;

/// <summary>
/// An HTTP server standing where the API would, recording every request it receives exactly as
/// the gateway forwarded it (method, path, query, headers, body). <c>GET /s2s/v1/stream</c>
/// answers a large body in two parts, the second only once the client has the first.
/// </summary>
public sealed class RecordingUpstream : IAsyncDisposable
{
    public const long StreamLength = 8L * 1024 * 1024;
    private const int FirstPart = 1024 * 1024;

    private readonly WebApplication _app;
    private readonly List<SeenRequest> _requests = [];

    private readonly string _contentRoot;

    private RecordingUpstream(WebApplication app, Uri address, string contentRoot)
    {
        _app = app;
        Address = address;
        _contentRoot = contentRoot;
    }

    public sealed record SeenRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);

    public Uri Address { get; }

    public TaskCompletionSource ClientReceivedFirstBytes { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<SeenRequest> Requests
    {
        get { lock (_requests) { return [.. _requests]; } }
    }

    /// <summary>Starts listening at <paramref name="address"/>, where a gateway of the fleet forwards to.</summary>
    public static async Task<RecordingUpstream> StartAsync(Uri address)
    {
        // An empty content root: the test's output directory holds a service's appsettings.json,
        // whose Kestrel endpoints this server must not bind.
        var contentRoot = Directory.CreateTempSubdirectory("encimap-upstream-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        builder.WebHost.UseUrls(address.AbsoluteUri);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new RecordingUpstream(app, address, contentRoot);
        app.MapGet("/s2s/v1/stream", upstream.StreamAsync);
        app.MapFallback(upstream.RecordAsync);
        await app.StartAsync();
        return upstream;
    }

    /// <summary>Validates a JWT the way the API does.</summary>
    public static async Task<JsonWebToken> ValidateAsync(string token, TokenValidationParameters parameters)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }

    private async Task RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        lock (_requests)
        {
            _requests.Add(new SeenRequest(context.Request.Method, context.Request.Path.Value!, context.Request.QueryString.Value ?? "", headers, body));
        }

        await context.Response.WriteAsJsonAsync(new { success = true, data = new { recorded = true } });
    }

    private async Task StreamAsync(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = StreamLength;
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        for (var sent = 0L; sent < FirstPart; sent += chunk.Length)
        {
            await context.Response.Body.WriteAsync(chunk);
        }

        await context.Response.Body.FlushAsync();
        await ClientReceivedFirstBytes.Task.WaitAsync(TimeSpan.FromSeconds(15));
        for (var sent = (long)FirstPart; sent < StreamLength; sent += chunk.Length)
        {
            await context.Response.Body.WriteAsync(chunk);
        }
    }
}
