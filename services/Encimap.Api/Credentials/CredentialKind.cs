namespace Encimap.Api.Credentials;

/// <summary>The two kinds of vaultbox credentials; they share one username (SPEC "unified username").</summary>
public enum CredentialKind
{
    Imap,
    Smtp,
}
