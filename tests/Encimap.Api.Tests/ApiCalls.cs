using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Encimap.Api.Tests;

/// <summary>Small helpers over HttpClient for the API's envelope.</summary>
public static class ApiCalls
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, object body) =>
        http.PostAsJsonAsync(path, body);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient http, string path, string body, string contentType = "application/json") =>
        http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    /// <summary>Reads the envelope, asserting the status code and the <c>success</c> flag that goes with it.</summary>
    public static async Task<JsonElement> EnvelopeAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)expected < 400, root.GetProperty("success").GetBoolean());
        return root;
    }

    public static async Task<JsonElement> DataAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) =>
        (await response.EnvelopeAsync(expected)).GetProperty("data");

    public static async Task<string> ErrorCodeAsync(this HttpResponseMessage response, HttpStatusCode expected) =>
        (await response.EnvelopeAsync(expected)).GetProperty("error").GetProperty("code").GetString()!;

    /// <summary>Creates a vaultbox for the client's user and returns its id.</summary>
    public static async Task<Guid> CreateVaultboxAsync(this HttpClient http, string domain, string alias, string? name = null)
    {
        using var response = await http.PostJsonAsync("/s2s/v1/vaultboxes", new { domain, alias, name });
        return (await response.DataAsync(HttpStatusCode.Created)).GetProperty("vaultbox_id").GetGuid();
    }
}
