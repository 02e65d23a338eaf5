using System.Globalization;
using System.Text.Json;
using Encimap.Grpc.Tests.Infrastructure;

namespace Encimap.Grpc.Tests;

/// <summary>
/// @grpc/grpc-js (an implementation no one here wrote) as the client of a host configured as the
/// Encimap services are: cleartext HTTP/2, trailers and trailers-only errors, status messages,
/// deadlines, internal-call authentication, and the message size limit above Kestrel's default.
/// </summary>
public sealed class GrpcJsClientInteropTests(ServiceGrpcHostFixture fixture) : IClassFixture<ServiceGrpcHostFixture>
{
    [Fact]
    public async Task Grpc_js_client_calls_a_host_configured_as_the_services()
    {
        var result = await NodeInterop.RunClientAsync(fixture.Host.Address, new Dictionary<string, string>
        {
            ["INTERNAL_TOKEN"] = fixture.Host.MintToken(),
            ["MESSAGE_LIMIT"] = ServiceGrpcHostFixture.MessageLimit.ToString(CultureInfo.InvariantCulture),
        });

        AssertSay(result.GetProperty("say"));
        AssertFail(result.GetProperty("fail"));
        AssertDeadline(result.GetProperty("deadline"));
        AssertCount(result.GetProperty("count"));
        AssertCountThenFail(result.GetProperty("countThenFail"));
        Assert.Equal(12, result.GetProperty("unknown").GetProperty("code").GetInt32());
        Assert.Equal(16, result.GetProperty("anonymous").GetProperty("code").GetInt32());
        AssertLimit(result.GetProperty("atLimit"), result.GetProperty("overLimit"));
    }

    private static void AssertSay(JsonElement say)
    {
        Assert.Equal(0, say.GetProperty("code").GetInt32());
        Assert.Equal("Grüße, 世界 ✓", say.GetProperty("text").GetString());
        Assert.Equal(Convert.ToHexStringLower(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray()), say.GetProperty("payloadHex").GetString());
        Assert.Equal("from grpc-js", say.GetProperty("metadataValue").GetString());
    }

    private static void AssertFail(JsonElement fail)
    {
        Assert.Equal(5, fail.GetProperty("code").GetInt32());
        Assert.Equal("Adresse «bob@例え.jp» unbekannt: 100% sicher", fail.GetProperty("details").GetString());
        Assert.Equal("from encimap", fail.GetProperty("trailer").GetString());
    }

    private static void AssertDeadline(JsonElement deadline)
    {
        Assert.Equal(4, deadline.GetProperty("code").GetInt32());
        Assert.InRange(deadline.GetProperty("elapsedMs").GetInt32(), 250, 4_000);
    }

    private static void AssertCount(JsonElement count)
    {
        Assert.Equal(0, count.GetProperty("code").GetInt32());
        var messages = count.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 5), messages.Select(m => m.GetProperty("index").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"message {i}"), messages.Select(m => m.GetProperty("text").GetString()));
    }

    private static void AssertCountThenFail(JsonElement count)
    {
        Assert.Equal(9, count.GetProperty("code").GetInt32());
        Assert.Equal("stopped after three", count.GetProperty("details").GetString());
        Assert.Equal(3, count.GetProperty("messages").GetArrayLength());
    }

    /// <summary>A request message of exactly the limit arrives whole; one byte more is RESOURCE_EXHAUSTED.</summary>
    private static void AssertLimit(JsonElement atLimit, JsonElement overLimit)
    {
        Assert.Equal(0, atLimit.GetProperty("code").GetInt32());
        Assert.Equal(atLimit.GetProperty("sent").GetInt64(), atLimit.GetProperty("payloadLength").GetInt64());
        Assert.True(atLimit.GetProperty("sent").GetInt64() > 30_000_000, "the message is not above Kestrel's default limit");
        Assert.Equal(8, overLimit.GetProperty("code").GetInt32());
    }
}
