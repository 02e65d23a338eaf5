using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.SmtpGateway.Relay;

/// <summary>Sends one queued message to the configured smarthost.</summary>
public sealed class SmarthostRelay(IOptions<GatewayOptions> options, ILogger<SmarthostRelay> logger)
{
    public async Task<RelayResult> SendAsync(string envelopeFrom, IReadOnlyList<string> recipients, byte[] content, CancellationToken cancellationToken)
    {
        var relay = options.Value.Relay;
        var result = new RelayResult();
        var undecided = new List<string>(recipients);
        try
        {
            await using var client = await SmtpClientConnection.ConnectAsync(relay.Host, relay.Port, relay.ConnectTimeout, cancellationToken);
            await client.HelloAsync(options.Value.HostName, cancellationToken);
            if (relay.StartTls && client.Supports("STARTTLS"))
            {
                await client.StartTlsAsync(relay.Host, relay.TrustServerCertificate ? (_, _, _, _) => true : null, cancellationToken);
                await client.HelloAsync(options.Value.HostName, cancellationToken);
            }
            else if (relay.RequireTls)
            {
                throw new SmtpClientException(new SmtpReply(421, "4.7.10", "the smarthost does not offer STARTTLS"), "STARTTLS");
            }

            if (relay.UserName.Length > 0)
            {
                await client.AuthenticatePlainAsync(relay.UserName, relay.Password, cancellationToken);
            }

            var eightBit = content.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xff) >= 0;
            var utf8 = !Ascii.IsValid(envelopeFrom) || recipients.Any(r => !Ascii.IsValid(r));
            var mail = await client.MailAsync(envelopeFrom, content.Length, eightBit, utf8, cancellationToken);
            if (!mail.IsPositive)
            {
                Decide(result, undecided, mail);
                await client.QuitAsync(cancellationToken);
                return result;
            }

            var accepted = new List<string>();
            foreach (var recipient in recipients)
            {
                var reply = await client.RecipientAsync(recipient, cancellationToken);
                if (reply.IsPositive)
                {
                    accepted.Add(recipient);
                }
                else
                {
                    Decide(result, [recipient], reply);
                }

                undecided.Remove(recipient);
            }

            undecided = accepted;
            if (accepted.Count == 0)
            {
                await client.QuitAsync(cancellationToken);
                return result;
            }

            var data = await client.DataAsync(content, cancellationToken);
            if (data.IsPositive)
            {
                result.Delivered.AddRange(accepted);
                undecided.Clear();
            }
            else
            {
                Decide(result, accepted, data);
                undecided.Clear();
            }

            await client.QuitAsync(cancellationToken);
        }
        catch (SmtpClientException e)
        {
            logger.LogInformation("Smarthost refused at {Stage}: {Reply}", e.Stage, e.Reply);
            // A refused greeting, EHLO, STARTTLS or AUTH is the smarthost's (or our configuration's)
            // problem, not the recipients': retry rather than bounce.
            result.Temporary.AddRange(undecided);
            result.Error = $"{e.Stage}: {e.Reply}";
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Smarthost {Host}:{Port} unreachable: {Error}", relay.Host, relay.Port, e.Message);
            result.Temporary.AddRange(undecided);
            result.Error = $"smarthost {relay.Host}:{relay.Port}: {e.GetType().Name}: {e.Message}";
        }

        return result;
    }

    private static void Decide(RelayResult result, IEnumerable<string> recipients, SmtpReply reply)
    {
        foreach (var recipient in recipients)
        {
            if (reply.IsPermanentFailure)
            {
                result.Permanent[recipient] = reply;
            }
            else
            {
                result.Temporary.Add(recipient);
                result.Error = reply.ToString();
            }
        }
    }
}
