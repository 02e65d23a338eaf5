using System.Text.Json;
using Encimap.Grpc.Tests.Infrastructure;

namespace Encimap.Grpc.Tests;

/// <summary>
/// @grpc/grpc-js (an implementation no one here wrote) as the client of our server: proves our
/// framing, trailers, trailers-only errors, status encoding and deadlines on the wire.
/// </summary>
public sealed class GrpcJsClientInteropTests : IClassFixture<EchoServerFixture>
{
    private readonly EchoServerFixture _fixture;

    public GrpcJsClientInteropTests(EchoServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Grpc_js_client_calls_our_server()
    {
        var result = await NodeInterop.RunClientAsync(_fixture.Server.Address);

        AssertSay(result.GetProperty("say"));
        AssertFail(result.GetProperty("fail"));
        AssertDeadline(result.GetProperty("deadline"));
        AssertCount(result.GetProperty("count"));
        AssertCountThenFail(result.GetProperty("countThenFail"));
        var unknown = result.GetProperty("unknown");
        Assert.Equal(12, unknown.GetProperty("code").GetInt32());
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
}
