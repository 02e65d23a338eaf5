namespace Encimap.Imap.Protocol;

/// <summary>Creates one backend session per connection.</summary>
public interface IImapBackend
{
    IImapSession OpenSession(ImapConnectionInfo connection);
}
