namespace Encimap.Api.Credentials;

/// <summary>Table of each credential kind. Table names are constants, never input.</summary>
internal static class CredentialTables
{
    public static string For(CredentialKind kind) => kind switch
    {
        CredentialKind.Imap => "imap_app_credentials",
        CredentialKind.Smtp => "vaultbox_smtp_credentials",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
