namespace Encimap.Replicas.Tests;

/// <summary>A vaultbox made for one test: its address, its key (PEM) and its IMAP and SMTP credentials.</summary>
public sealed record ReplicaVaultbox(
    Guid Id, string Address, string KeyPem, string ImapUserName, string ImapPassword, string SmtpUserName, string SmtpPassword);
