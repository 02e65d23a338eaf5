using Encimap.Intake.Encryption;
using Encimap.Smtp;

namespace Encimap.Intake.Delivery;

/// <summary>What arrived, as the transport (gRPC or HTTP) handed it over, already validated.</summary>
/// <param name="Raw">The RFC 5322 message, byte for byte, spooled (owned by the transport, which disposes it).</param>
/// <param name="EnvelopeSender">MAIL FROM ("" for the null reverse-path).</param>
/// <param name="Recipients">RCPT TO addresses (for the duplicate key).</param>
/// <param name="ClientAddress">The client's IP, for the Received: line.</param>
/// <param name="ClientHelo">The client's HELO/EHLO name, for the Received: line.</param>
/// <param name="Mailbox">The target folder's name.</param>
/// <param name="Protocol">The Received: line's "with".</param>
/// <param name="Channel">"grpc" or "http", for telemetry.</param>
public sealed record InboundMessage(
    MessageSpool Raw,
    string EnvelopeSender,
    IReadOnlyList<string> Recipients,
    string? ClientAddress,
    string? ClientHelo,
    string Mailbox,
    string Protocol,
    string Channel,
    AppendOptions? Append = null);
