using System.Globalization;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>A malformed command; answered with a tagged (or untagged, without a tag) BAD.</summary>
public sealed class ImapParseException(string? tag, string message) : Exception(message)
{
    public string? Tag { get; } = tag;
}
