namespace Encimap.Imap.Protocol;

// APPEND, COPY and MOVE.
public sealed partial class ImapServerSession
{
    private async Task<bool> AppendAsync(ImapCommand c, AppendArguments arguments, CancellationToken ct)
    {
        // \Recent is the server's to set (RFC 3501 §2.3.2).
        var messages = arguments.Messages
            .Select(m => m with { Flags = new EquatableList<string>(m.Flags.Where(f => f != Flags.Recent).Distinct(StringComparer.OrdinalIgnoreCase)) })
            .ToList();
        var result = await _backend.AppendAsync(MailboxName(arguments.Mailbox), messages, ct).ConfigureAwait(false);
        _span?.Messages(result.Uids.Count);
        return await OkAsync(c, "APPEND completed", ct, $"APPENDUID {result.UidValidity} {SequenceSet.Compress(result.Uids)}").ConfigureAwait(false);
    }

    private async Task<bool> CopyAsync(ImapCommand c, CopyArguments arguments, CancellationToken ct)
    {
        var ranges = Resolve(arguments.Set, c.Uid);
        var destination = MailboxName(arguments.Mailbox);
        CopyResult result;
        if (c.Name == "MOVE")
        {
            RequireWritable();
            if (_backend is not IImapMoveSession mover)
            {
                Tagged(c.Tag, ImapStatus.Bad, "MOVE is not supported");
                return false;
            }

            result = await mover.MoveAsync(ranges, destination, ct).ConfigureAwait(false);
            _span?.Messages(result.SourceUids.Count);
            if (result.SourceUids.Count > 0)
            {
                _writer.Raw($"* OK [COPYUID {result.UidValidity} {SequenceSet.Compress(result.SourceUids)} {SequenceSet.Compress(result.DestinationUids)}] Moved\r\n");
            }

            Expunged(result.SourceUids);
            return await OkAsync(c, "MOVE completed", ct, await HighestModSeqAfterExpungeAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
        }

        result = await _backend.CopyAsync(ranges, destination, ct).ConfigureAwait(false);
        _span?.Messages(result.SourceUids.Count);
        var code = result.SourceUids.Count > 0
            ? $"COPYUID {result.UidValidity} {SequenceSet.Compress(result.SourceUids)} {SequenceSet.Compress(result.DestinationUids)}"
            : null;
        return await OkAsync(c, "COPY completed", ct, code).ConfigureAwait(false);
    }
}
