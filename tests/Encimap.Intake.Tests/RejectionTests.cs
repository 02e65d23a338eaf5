using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Encimap.Contracts.Intake;
using Google.Protobuf;
using Grpc.Core;

namespace Encimap.Intake.Tests;

/// <summary>Bad requests and callers who may not deliver: a clear answer, and nothing stored.</summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class RejectionTests(IntakeFixture fleet)
{
    private string Url => $"http://127.0.0.1:{fleet.IntakeHttpPort}";

    [Fact]
    public async Task An_unknown_vaultbox_is_404_exit_67_and_unknown_recipient()
    {
        var before = await fleet.TotalMessageCountAsync();
        var raw = Corpus.Unique("unknown");
        var missing = Guid.NewGuid();
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Url}/intake/{missing}", new ByteArrayContent(raw));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("unknown_vaultbox", await response.Content.ReadAsStringAsync());
        Assert.Equal(67, (await Tools.PipeAsync(raw, Url, missing.ToString())).ExitCode);

        var reply = await fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, $"nobody@{fleet.Domain}")).ResponseAsync;
        Assert.Equal(DeliveryOutcome.UnknownRecipient, Assert.Single(reply.Results).Outcome);
        Assert.Equal(0u, reply.Results[0].Uid);
        Assert.Equal(before, await fleet.TotalMessageCountAsync());
        Assert.True(await fleet.ScalarAsync<long>("SELECT count(*) FROM email_processing_logs WHERE outcome = 'unknown_recipient' AND vaultbox_id IS NULL") >= 3);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_413_exit_65_and_resource_exhausted()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("big");
        var raw = new byte[IntakeFixture.MaxMessageBytes + 1];
        Corpus.Unique("big", 0).CopyTo(raw, 0);
        raw.AsSpan(400).Fill((byte)'a');

        using var http = new HttpClient();
        using (var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}", new ByteArrayContent(raw)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        // Without a Content-Length (chunked), the limit is counted while reading.
        using (var chunked = new StreamContent(new MemoryStream(raw)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Url}/intake/{vaultbox.Id}") { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        Assert.Equal(65, (await Tools.PipeAsync(raw, Url, vaultbox.Id.ToString())).ExitCode);
        var error = await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(StoredMessageAssert.Request(raw, vaultbox.Address)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);

        Assert.Equal(0, await fleet.MessageCountAsync(vaultbox.Id));
        Assert.Equal(3L, await fleet.ScalarAsync<long>("SELECT count(*) FROM email_processing_logs WHERE vaultbox_id = $1 AND outcome = 'too_large'", vaultbox.Id));
    }

    [Fact]
    public async Task Malformed_requests_are_4xx_and_store_nothing()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("malformed");
        var raw = Corpus.Unique("malformed");
        using var http = new HttpClient();

        using (var response = await http.PostAsync($"{Url}/intake/not-a-uuid", new ByteArrayContent(raw)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}", new ByteArrayContent([])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var json = new ByteArrayContent(raw))
        {
            json.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}", json);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }

        using (var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}?sender=a%0d%0ab", new ByteArrayContent(raw)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(65, (await Tools.PipeAsync([], Url, vaultbox.Id.ToString())).ExitCode);

        var empty = StoredMessageAssert.Request([], vaultbox.Address);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(empty).ResponseAsync)).StatusCode);
        var nobody = StoredMessageAssert.Request(raw);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(nobody).ResponseAsync)).StatusCode);
        var injected = StoredMessageAssert.Request(raw, vaultbox.Address);
        injected.EnvelopeSender = "a@b.example\r\nBcc: x@y.example";
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => fleet.Client.DeliverAsync(injected).ResponseAsync)).StatusCode);

        Assert.Equal(0, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task A_hostile_helo_cannot_break_the_received_line()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("helo");
        var request = StoredMessageAssert.Request(Corpus.Unique("helo"), vaultbox.Address);
        request.ClientHelo = "evil.example\r\nX-Injected: yes";
        request.ClientAddress = "not an address";
        request.ReceivedProtocol = "ESMTP\r\nX: y";
        var uid = Assert.Single((await fleet.Client.DeliverAsync(request).ResponseAsync).Results).Uid;
        var stored = System.Text.Encoding.ASCII.GetString(await fleet.ContentAsync(vaultbox.Id, uid));
        Assert.StartsWith("Received: from evil.exampleX-Injected:yes\r\n\tby intake.test.example with ESMTP id ", stored);
        Assert.DoesNotContain("\nX-Injected", stored);
    }

    [Fact]
    public async Task Grpc_calls_without_an_internal_token_are_unauthenticated()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("anon");
        var deliver = await Assert.ThrowsAsync<RpcException>(() =>
            fleet.AnonymousClient.DeliverAsync(StoredMessageAssert.Request(Corpus.Unique("anon"), vaultbox.Address)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, deliver.StatusCode);
        var resolve = await Assert.ThrowsAsync<RpcException>(() =>
            fleet.AnonymousClient.ResolveRecipientAsync(new ResolveRecipientRequest { Address = vaultbox.Address }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, resolve.StatusCode);
        Assert.Equal(0, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task Without_a_token_only_loopback_callers_may_use_the_http_intake()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("loopback");
        var local = LocalNonLoopbackAddress();
        Assert.True(local is not null, "the machine needs a non-loopback address for this test");
        using var http = new HttpClient();
        var host = local!.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        using (var response = await http.PostAsync($"http://{host}:{fleet.IntakeHttpPort}/intake/{vaultbox.Id}", new ByteArrayContent(Corpus.Unique("remote"))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var response = await http.PostAsync($"{Url}/intake/{vaultbox.Id}", new ByteArrayContent(Corpus.Unique("local"))))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task With_a_token_the_http_intake_needs_it_from_everyone()
    {
        var vaultbox = await fleet.CreateVaultboxAsync("token");
        const string token = IntakeFixture.HttpToken;
        var url = $"http://127.0.0.1:{fleet.Http(IntakeFixture.GuardedIntake).Port}";
        using var http = new HttpClient();

        using (var response = await http.PostAsync($"{url}/intake/{vaultbox.Id}", new ByteArrayContent(Corpus.Unique("none"))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, $"{url}/intake/{vaultbox.Id}") { Content = new ByteArrayContent(Corpus.Unique("wrong")) })
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
            using var response = await http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var (status, _) = await Tools.CurlPostAsync($"{url}/intake/{vaultbox.Id}", Corpus.Unique("curl"), "-H", $"Authorization: Bearer {token}");
        Assert.Equal(201, status);
        Assert.Equal(0, (await Tools.PipeAsync(Corpus.Unique("pipe"), url, vaultbox.Id.ToString(), token)).ExitCode);
        Assert.Equal(75, (await Tools.PipeAsync(Corpus.Unique("pipe-no-token"), url, vaultbox.Id.ToString())).ExitCode);
        Assert.Equal(2, await fleet.MessageCountAsync(vaultbox.Id));
    }

    [Fact]
    public async Task The_pipe_script_tempfails_when_the_intake_is_unreachable()
    {
        var closed = Testing.LoopbackPort.Free();
        var result = await Tools.PipeAsync(Corpus.Unique("unreachable"), $"http://127.0.0.1:{closed}", Guid.NewGuid().ToString());
        Assert.Equal(75, result.ExitCode);
        Assert.Contains("unreachable", result.Error);
    }

    private static IPAddress? LocalNonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal)
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .FirstOrDefault();
}
