using System.Diagnostics;
using Encimap.Intake.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Intake.Delivery;

/// <summary>One vaultbox's encrypted copy, ready to store.</summary>
/// <param name="Content">The bytes IMAP serves.</param>
/// <param name="Der">The CMS DER stored in place of the base64 that ends <paramref name="Content"/>; null to store <paramref name="Content"/> as it is.</param>
/// <param name="HeadLength">Bytes of <paramref name="Content"/> stored before the DER.</param>
public sealed record PreparedCopy(
    VaultboxRoute Route,
    byte[] Content,
    byte[]? Der,
    int HeadLength,
    string? MessageId,
    string? FromDomain,
    string? Subject,
    string? EnvelopeJson,
    string? BodyStructureJson,
    byte[]? EnvelopeWire,
    byte[]? BodyStructureWire);
