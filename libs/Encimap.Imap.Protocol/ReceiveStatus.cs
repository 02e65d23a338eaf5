using System.Buffers;
using System.Text;

namespace Encimap.Imap.Protocol;

public enum ReceiveStatus
{
    /// <summary>The buffer held no complete command: read more bytes and call again.</summary>
    NeedMoreData,

    /// <summary>
    /// A line ended with a literal announcement. For a synchronizing literal the server sends a
    /// continuation request (<c>+</c>) before the client sends the bytes; call again either way.
    /// </summary>
    NeedLiteral,

    /// <summary>A complete command was parsed.</summary>
    Command,

    /// <summary>The command was malformed or too large: answer BAD; the connection goes on.</summary>
    Error,
}
