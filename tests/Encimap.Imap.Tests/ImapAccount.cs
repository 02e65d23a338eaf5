namespace Encimap.Imap.Tests;

/// <summary>A vaultbox with IMAP credentials and its owner's key (P12 and PEM files for openssl).</summary>
public sealed record ImapAccount(Guid Id, string Address, string Username, string Password, string P12Path, string KeyPemPath, string CertificatePemPath);
