using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Encimap.Gateway.Tests;

/// <summary>Helpers over HttpClient for the envelope that both the API and the gateway answer with.</summary>
public static class GatewayCalls
{
    public const string Prefix = "/api/encrypted-imap";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, object body) =>
        http.PostAsJsonAsync(path, body);

    /// <summary>Reads the envelope, asserting the status code and the <c>success</c> flag that goes with it.</summary>
    public static async Task<JsonElement> EnvelopeAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)expected < 400, root.GetProperty("success").GetBoolean());
        return root;
    }

    public static async Task<JsonElement> DataAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) =>
        (await response.EnvelopeAsync(expected)).GetProperty("data");

    public static async Task<string> ErrorCodeAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var error = (await response.EnvelopeAsync(expected)).GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        return error.GetProperty("code").GetString()!;
    }

    /// <summary>Creates a vaultbox through the gateway and returns its id.</summary>
    public static async Task<Guid> CreateVaultboxAsync(this HttpClient gateway, string domain, string alias)
    {
        using var response = await gateway.PostJsonAsync($"{Prefix}/vaultboxes", new { domain, alias });
        return (await response.DataAsync(HttpStatusCode.Created)).GetProperty("vaultbox_id").GetGuid();
    }
}
