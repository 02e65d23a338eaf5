using Encimap.Contracts.Credentials;
using Encimap.Passwords;

namespace Encimap.Api.Credentials;

/// <summary>
/// Recently verified logins, so a mail client that logs in every few seconds does not pay bcrypt
/// each time. Entries live a short time and are forgotten at once when a credential is
/// regenerated or deleted. Per process: another API instance may serve a stale success for at
/// most the cache's lifetime after a change made elsewhere.
/// </summary>
public sealed class LoginCache(VerifiedCredentialCache<VerifyLoginReply> imap, VerifiedCredentialCache<VerifyLoginReply> smtp)
{
    public bool TryGet(CredentialKind kind, string username, string password, out VerifyLoginReply reply) =>
        For(kind).TryGet(username, password, out reply!);

    /// <summary>Taken before a verification starts, so an invalidation during it is not undone by <see cref="Remember"/>.</summary>
    public VerificationStamp Begin(CredentialKind kind) => For(kind).BeginVerification();

    public void Remember(CredentialKind kind, string username, string password, VerifyLoginReply reply, VerificationStamp stamp) =>
        For(kind).Add(username, password, reply, stamp);

    /// <summary>Forgets every cached login of a username (both kinds share it).</summary>
    public void Forget(string username)
    {
        imap.Invalidate(username);
        smtp.Invalidate(username);
    }

    private VerifiedCredentialCache<VerifyLoginReply> For(CredentialKind kind) => kind == CredentialKind.Imap ? imap : smtp;
}
