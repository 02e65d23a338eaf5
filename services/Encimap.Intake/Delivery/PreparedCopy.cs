using System.Diagnostics;
using Encimap.Intake.Encryption;
using Encimap.Intake.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Intake.Delivery;

/// <summary>One vaultbox's encrypted copy, ready to store.</summary>
public sealed record PreparedCopy(
    VaultboxRoute Route,
    EncryptedMessage Stored,
    string? MessageId,
    string? FromDomain,
    string? Subject,
    string? EnvelopeJson,
    string? BodyStructureJson,
    byte[]? EnvelopeWire,
    byte[]? BodyStructureWire);
