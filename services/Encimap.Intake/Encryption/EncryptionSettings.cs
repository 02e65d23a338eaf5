using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Encimap.Intake.Encryption;

/// <summary>What one vaultbox needs for its copy of a message.</summary>
/// <param name="Certificates">Every active certificate of the vaultbox: each gets a RecipientInfo.</param>
/// <param name="KeyTransport">How the content-encryption key is wrapped.</param>
/// <param name="HideSubject">Whether the outer Subject is replaced by <c>...</c>.</param>
/// <param name="ReceivedField">This hop's trace field (<see cref="Encimap.Smtp.ReceivedField"/>), without line break; null for none.</param>
/// <param name="EnvelopeSender">MAIL FROM, for a From: field when the message has none.</param>
public sealed record EncryptionSettings(
    IReadOnlyList<X509Certificate2> Certificates,
    KeyTransport KeyTransport,
    bool HideSubject,
    string? ReceivedField,
    string? EnvelopeSender);
