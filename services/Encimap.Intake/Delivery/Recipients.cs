using Encimap.Intake.Encryption;

namespace Encimap.Intake.Delivery;

/// <summary>A vaultbox that a recipient resolved to, with what its copy of a message needs.</summary>
/// <param name="VaultboxId">The vaultbox.</param>
/// <param name="ToAlias">The local part the message was addressed to (<c>messages.to_alias</c>).</param>
/// <param name="HideSubject">Whether the outer Subject is hidden.</param>
/// <param name="KeyTransport">RSA PKCS#1 v1.5 or OAEP.</param>
public sealed record VaultboxRoute(Guid VaultboxId, string ToAlias, bool HideSubject, KeyTransport KeyTransport);

/// <summary>One recipient of a delivery and the vaultbox it resolved to (null: unknown).</summary>
public sealed record RecipientTarget(string Recipient, VaultboxRoute? Route);

/// <summary>What arrived, as the transport (gRPC or HTTP) handed it over, already validated.</summary>
/// <param name="Raw">The RFC 5322 message, byte for byte.</param>
/// <param name="EnvelopeSender">MAIL FROM ("" for the null reverse-path).</param>
/// <param name="Recipients">RCPT TO addresses (for the duplicate key).</param>
/// <param name="ClientAddress">The client's IP, for the Received: line.</param>
/// <param name="ClientHelo">The client's HELO/EHLO name, for the Received: line.</param>
/// <param name="Mailbox">The target folder's name.</param>
/// <param name="Protocol">The Received: line's "with".</param>
/// <param name="Channel">"grpc" or "http", for telemetry.</param>
public sealed record InboundMessage(
    ReadOnlyMemory<byte> Raw,
    string EnvelopeSender,
    IReadOnlyList<string> Recipients,
    string? ClientAddress,
    string? ClientHelo,
    string Mailbox,
    string Protocol,
    string Channel,
    AppendOptions? Append = null);

/// <summary>
/// IMAP APPEND semantics for a delivery: the stored copy's initial flags and INTERNALDATE, and no
/// de-duplication (appending the same message twice stores it twice).
/// </summary>
public sealed record AppendOptions(IReadOnlyList<string> Flags, DateTimeOffset? InternalDate);

/// <summary>What happened to one vaultbox's copy.</summary>
public enum CopyOutcome
{
    Stored,
    Duplicate,
}

/// <summary>The committed result for one vaultbox.</summary>
public sealed record CopyResult(Guid VaultboxId, CopyOutcome Outcome, long MailboxId, uint Uid);

/// <summary>The outcome of a delivery, per recipient (unknown recipients have no copy).</summary>
public sealed record DeliveryReport(IReadOnlyList<(RecipientTarget Target, CopyResult? Copy)> Results);
