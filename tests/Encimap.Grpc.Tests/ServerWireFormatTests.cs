using System.Diagnostics;
using System.Net;
using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;

namespace Encimap.Grpc.Tests;

/// <summary>The server's answers to hand-built requests: what a foreign client would see.</summary>
public sealed class ServerWireFormatTests : IClassFixture<EchoServerFixture>
{
    private readonly EchoServerFixture _fixture;

    public ServerWireFormatTests(EchoServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Grpc_timeout_header_alone_makes_the_server_end_with_deadline_exceeded()
    {
        using var http = _fixture.Server.CreateHttpClient();
        var watch = Stopwatch.StartNew();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Sleep.Path,
            RawGrpc.Frame(new SleepRequest { Milliseconds = 10_000 }), headers: ("grpc-timeout", "200m"));
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("4", RawGrpc.Header(response, "grpc-status"));
        Assert.InRange(watch.ElapsedMilliseconds, 150, 5_000);
    }

    [Fact]
    public async Task Compressed_flag_without_negotiated_encoding_is_internal()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, RawGrpc.Frame(new SayRequest { Text = "x" }, compressedFlag: 1));

        Assert.Equal("13", RawGrpc.Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Unsupported_grpc_encoding_is_unimplemented_and_names_what_is_accepted()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, RawGrpc.Frame(new SayRequest { Text = "x" }, compressedFlag: 1),
            headers: ("grpc-encoding", "gzip"));

        Assert.Equal("12", RawGrpc.Header(response, "grpc-status"));
        Assert.Equal("identity", RawGrpc.Header(response, "grpc-accept-encoding"));
    }

    [Fact]
    public async Task Grpc_proto_content_type_is_accepted()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, RawGrpc.Frame(new SayRequest { Text = "x" }), "application/grpc+proto");
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("0", RawGrpc.Trailer(response, "grpc-status"));
    }

    [Fact]
    public async Task Other_content_types_get_415()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, RawGrpc.Frame(new SayRequest()), "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Request_without_a_message_is_internal()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, []);

        Assert.Equal("13", RawGrpc.Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Truncated_frame_is_internal()
    {
        using var http = _fixture.Server.CreateHttpClient();
        var frame = RawGrpc.Frame(new SayRequest { Text = "truncated" });
        using var response = await RawGrpc.PostAsync(http, EchoMethods.Say.Path, frame[..^3]);

        Assert.Equal("13", RawGrpc.Header(response, "grpc-status"));
    }

    [Fact]
    public async Task Fallback_leaves_non_grpc_requests_alone()
    {
        using var http = _fixture.Server.CreateHttpClient();
        using var response = await RawGrpc.PostAsync(http, "/some/where", [], "application/json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(RawGrpc.Header(response, "grpc-status"));
    }

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("150n", 2L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Grpc_timeout_units_parse(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("m")]
    [InlineData("123456789m")]
    [InlineData("-1m")]
    [InlineData("1x")]
    public void Malformed_grpc_timeout_is_rejected(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Fact]
    public void Grpc_timeout_is_formatted_in_at_most_eight_digits_rounding_up()
    {
        Assert.Equal("250000u", GrpcTimeout.Format(TimeSpan.FromMilliseconds(250)));
        Assert.Equal("1u", GrpcTimeout.Format(TimeSpan.FromTicks(1)));
        Assert.Equal("100001m", GrpcTimeout.Format(TimeSpan.FromMilliseconds(100_000.5)));
        Assert.Equal("86400000m", GrpcTimeout.Format(TimeSpan.FromDays(1)));
        Assert.Equal("172800S", GrpcTimeout.Format(TimeSpan.FromDays(2)));
    }

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("100%", "100%25")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("a\nb", "a%0Ab")]
    public void Grpc_message_percent_encoding(string text, string encoded)
    {
        Assert.Equal(encoded, GrpcStatusMessage.Encode(text));
        Assert.Equal(text, GrpcStatusMessage.Decode(encoded));
    }

    [Fact]
    public void Malformed_percent_sequences_are_kept() => Assert.Equal("50%zz%", GrpcStatusMessage.Decode("50%zz%"));
}
