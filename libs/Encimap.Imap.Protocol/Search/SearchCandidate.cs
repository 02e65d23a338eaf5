using System.Globalization;

namespace Encimap.Imap.Protocol;

/// <summary>A message as SEARCH sees it.</summary>
public sealed class SearchCandidate
{
    public uint Uid { get; init; }

    public IReadOnlyList<string> Flags { get; init; } = [];

    public DateTimeOffset InternalDate { get; init; }

    public long Size { get; init; }

    public ulong ModSeq { get; init; }

    /// <summary>The header block: what is in clear of a stored (encrypted) message.</summary>
    public ReadOnlyMemory<byte> Header { get; init; }

    /// <summary>Decoded values of a header field; default: the raw unfolded values.</summary>
    public Func<string, IEnumerable<string>>? HeaderValues { get; init; }

    /// <summary>The Date header's value; default: parsed from the header.</summary>
    public DateTimeOffset? SentDate { get; init; }
}
