using System.Collections.Concurrent;
using Encimap.Smtp;

namespace Encimap.Smtp.Tests;

/// <summary>Backends that keep everything in memory: known recipients, stored messages, one user.</summary>
public sealed class InMemoryBackends : IRecipientPolicy, IMessageSink, ISmtpAuthenticator, ISenderPolicy
{
    public HashSet<string> KnownRecipients { get; } = new(StringComparer.OrdinalIgnoreCase) { "alice@example.org", "bob@example.org", "jösé@exämple.org" };

    public ConcurrentQueue<(SmtpEnvelope Envelope, byte[] Message, SmtpSessionContext Session)> Delivered { get; } = new();

    public Dictionary<string, string> Users { get; } = new() { ["user"] = "secret pass" };

    /// <summary>When set, DeliverAsync answers this instead of storing.</summary>
    public SmtpReply? DeliveryFailure { get; set; }

    public TimeSpan DeliveryDelay { get; set; }

    /// <summary>For each delivered message: whether its spool had moved to a file.</summary>
    public ConcurrentQueue<bool> SpooledOnDisk { get; } = new();

    public SmtpBackends Backends => new(this) { RecipientPolicy = this, Authenticator = this, SenderPolicy = this };

    public ValueTask<SmtpReply?> CheckRecipientAsync(SmtpSessionContext session, SmtpEnvelope envelope, string recipient, CancellationToken cancellationToken) =>
        ValueTask.FromResult(KnownRecipients.Contains(recipient) ? null : new SmtpReply(550, "5.1.1", $"<{recipient}>: Recipient address rejected: User unknown"));

    public ValueTask<SmtpReply?> CheckSenderAsync(SmtpSessionContext session, MailCommand mail, CancellationToken cancellationToken) =>
        ValueTask.FromResult(session.Principal is { } principal && mail.ReversePath != principal.Name + "@example.org"
            ? new SmtpReply(553, "5.7.1", "Sender address rejected: not owned by user")
            : null);

    public async ValueTask<SmtpReply> DeliverAsync(SmtpSessionContext session, SmtpEnvelope envelope, MessageSpool message, CancellationToken cancellationToken)
    {
        if (DeliveryDelay > TimeSpan.Zero)
        {
            await Task.Delay(DeliveryDelay, cancellationToken);
        }

        if (DeliveryFailure is { } failure)
        {
            return failure;
        }

        SpooledOnDisk.Enqueue(message.IsOnDisk);
        await using var content = message.OpenRead();
        var copy = new byte[content.Length];
        await content.ReadExactlyAsync(copy, cancellationToken);
        Delivered.Enqueue((envelope, copy, session));
        return new SmtpReply(250, "2.0.0", "Ok: queued");
    }

    public ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Users.TryGetValue(userName, out var expected) && expected == password
            ? SmtpAuthResult.Success(new SmtpPrincipal(userName))
            : SmtpAuthResult.Failure);
}
