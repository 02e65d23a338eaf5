using System.Buffers;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>What <see cref="ImapCommandReceiver.Receive"/> found.</summary>
public readonly record struct ReceiveResult(
    ReceiveStatus Status,
    ImapCommand? Command = null,
    long LiteralSize = 0,
    bool LiteralNonSynchronizing = false,
    string? Tag = null,
    string? Error = null,
    string? ResponseCode = null);
