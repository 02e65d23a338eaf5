namespace Encimap.Imap.Protocol;

/// <summary>
/// The QRESYNC select parameter (RFC 7162 §3.2.5): what the client knew of the mailbox, so that
/// SELECT can tell it what changed since, instead of the client fetching everything again.
/// </summary>
/// <param name="KnownUids">The UIDs the client knows; null: all.</param>
/// <param name="KnownSequenceNumbers">With <paramref name="KnownSequenceUids"/>, sequence numbers and the UIDs the client has for them.</param>
public sealed record QresyncParameters(
    uint UidValidity,
    ulong ModSeq,
    SequenceSet? KnownUids = null,
    SequenceSet? KnownSequenceNumbers = null,
    SequenceSet? KnownSequenceUids = null);
