using System.Net;
using System.Text;
using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>Our relay client against our server: EHLO, STARTTLS, AUTH PLAIN, MAIL/RCPT/DATA.</summary>
public sealed class SmtpClientConnectionTests
{
    [Fact]
    public async Task RelaysThroughStartTlsAndAuth()
    {
        var backends = new InMemoryBackends();
        await using var server = new SmtpServer(new SmtpServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TlsCertificate = TestCertificate.Certificate,
            EnableAuth = true,
            RequireAuth = true,
            RequireTls = true,
        }, backends.Backends);
        server.Start();

        await using var client = await SmtpClientConnection.ConnectAsync("127.0.0.1", server.EndPoint.Port, TimeSpan.FromSeconds(10), default);
        await client.HelloAsync("relay.test", default);
        Assert.True(client.Supports("STARTTLS"));
        Assert.False(client.Supports("AUTH"));
        await client.StartTlsAsync("localhost", (_, _, _, _) => true, default);
        await client.HelloAsync("relay.test", default);
        Assert.True(client.IsTls);
        Assert.True(client.Supports("AUTH"));
        var refused = await Assert.ThrowsAsync<SmtpClientException>(() => client.AuthenticatePlainAsync("user", "wrong", default));
        Assert.Equal(535, refused.Reply.Code);
        Assert.Equal("5.7.8", refused.Reply.EnhancedCode);
        await client.AuthenticatePlainAsync("user", "secret pass", default);

        var message = Encoding.UTF8.GetBytes("Subject: relay\r\n\r\n.leading dot\r\nÜmlaut\r\n");
        Assert.Equal(250, (await client.MailAsync("user@example.org", message.Length, eightBit: true, smtpUtf8: false, default)).Code);
        Assert.Equal(250, (await client.RecipientAsync("alice@example.org", default)).Code);
        var unknown = await client.RecipientAsync("nobody@example.org", default);
        Assert.Equal((550, "5.1.1"), (unknown.Code, unknown.EnhancedCode));
        var reply = await client.DataAsync(message, default);
        Assert.Equal(250, reply.Code);
        await client.QuitAsync(default);

        var (envelope, stored, _) = Assert.Single(backends.Delivered);
        Assert.Equal(message, stored);
        Assert.Equal(SmtpBodyType.EightBitMime, envelope.Body);
        Assert.Equal(message.Length, envelope.DeclaredSize);
    }
}
