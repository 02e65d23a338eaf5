using System.Net;

namespace Encimap.Smtp;

/// <summary>The backends of one listener. Policies left null accept everything.</summary>
public sealed record SmtpBackends(IMessageSink MessageSink)
{
    public ISenderPolicy? SenderPolicy { get; init; }

    public IRecipientPolicy? RecipientPolicy { get; init; }

    /// <summary>Required when the listener offers AUTH.</summary>
    public ISmtpAuthenticator? Authenticator { get; init; }
}
