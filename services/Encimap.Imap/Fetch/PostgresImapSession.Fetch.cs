using System.Data;
using System.Text;
using Encimap.Imap.Protocol;
using Encimap.Mime;
using Npgsql;

namespace Encimap.Imap;

// FETCH, and the \Seen it sets.
public sealed partial class PostgresImapSession
{
    public async Task FetchAsync(FetchWriter writer, IReadOnlyList<UidRange> uids, FetchOptions fetchOptions, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return;
        }

        var items = writer.Items;
        var needBody = items.Any(i => i.NeedsBody);
        var needHeader = !needBody && items.Any(i => i.NeedsHeader);
        var needBinary = items.Any(i => i.Attribute is FetchAttribute.Binary or FetchAttribute.BinarySize && i.Section!.Part.Count > 0);
        var needEnvelope = items.Contains(FetchItem.Envelope);
        // BODY, sections and BINARY need the decoded structure; BODYSTRUCTURE alone is served
        // from the wire form stored at delivery (the JSON only for messages stored before it).
        var needDecodedStructure = items.Any(i => i.Attribute is FetchAttribute.Body ||
            (i.Section is { Part.Count: > 0 } && i.Attribute is FetchAttribute.BodySection));
        var needWireStructure = items.Any(i => i.Attribute is FetchAttribute.BodyStructure);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (fetchOptions.SetSeen)
        {
            await SetSeenAsync(connection, uids, fetchOptions.ChangedSince, cancellationToken);
        }

        var sql = new StringBuilder("SELECT uid, flags, modseq, internal_date, size_bytes, ");
        sql.Append(needEnvelope ? "imap_envelope, CASE WHEN imap_envelope IS NULL THEN envelope::text END, " : "NULL::bytea, NULL, ");
        sql.Append(needWireStructure ? "imap_body_structure, " : "NULL::bytea, ");
        sql.Append(needDecodedStructure ? "body_structure::text, " : needWireStructure ? "CASE WHEN imap_body_structure IS NULL THEN body_structure::text END, " : "NULL, ");
        // A message stored as header and DER is rendered here, not in SQL (RenderedContent). A
        // large one's DER, or body as it came, comes in chunks (migrations 0017, 0019), one row each, joined in order: the
        // database sends them one at a time, never concatenated into one datum.
        sql.Append(needBody ? "content, content_der, chunked_der_length, chunked_body_length, c.data " : needHeader
            ? "CASE WHEN position('\\x0d0a0d0a'::bytea IN content) > 0 THEN substring(content FROM 1 FOR position('\\x0d0a0d0a'::bytea IN content) + 3) ELSE content END, NULL::bytea, NULL::bigint, NULL::bigint, NULL::bytea "
            : "NULL::bytea, NULL::bytea, NULL::bigint, NULL::bigint, NULL::bytea ");
        sql.Append(needBody
            // LATERAL with ORDER BY (never flattened into a join): a look-up by the chunks' primary key
            // per chunked message, whatever the statistics.
            ? "FROM messages m LEFT JOIN LATERAL (SELECT seq, data FROM message_chunks WHERE message_id = m.id AND (m.chunked_der_length IS NOT NULL OR m.chunked_body_length IS NOT NULL) ORDER BY seq) c ON true WHERE mailbox_id = $1 AND "
            : "FROM messages WHERE mailbox_id = $1 AND ");
        var command = new NpgsqlBatchCommand();
        command.Parameters.AddWithValue(_mailboxId);
        sql.Append(RangeCondition(command.Parameters, uids));
        if (fetchOptions.ChangedSince is { } since)
        {
            command.Parameters.AddWithValue((long)since);
            sql.Append(" AND modseq > $").Append(command.Parameters.Count);
        }

        sql.Append(needBody ? " ORDER BY uid, c.seq" : " ORDER BY uid");
        command.CommandText = sql.ToString();
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { command } };
        // The look at the mailbox that the command's answer needs, in the same round trip.
        var poll = PollIfDue(batch);
        await using var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        var hasRow = await reader.ReadAsync(cancellationToken);
        while (hasRow)
        {
            var uid = (uint)reader.GetInt64(0);
            var flags = reader.GetFieldValue<string[]>(1);
            var modseq = reader.GetInt64(2);
            var internalDate = reader.GetFieldValue<DateTimeOffset>(3);
            var size = reader.GetInt32(4);
            var envelopeWire = reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5);
            var envelopeJson = reader.IsDBNull(6) ? null : reader.GetString(6);
            var structureWire = reader.IsDBNull(7) ? null : reader.GetFieldValue<byte[]>(7);
            var structureJson = reader.IsDBNull(8) ? null : reader.GetString(8);
            using var rendered = await reader.IsDBNullAsync(9, cancellationToken) ? null : await RenderedContent.ReadAsync(reader, 9, cancellationToken);
            // A chunked message's further rows: the uid again and its next chunk.
            while ((hasRow = await reader.ReadAsync(cancellationToken)) && rendered is { IsComplete: false })
            {
                if ((uint)reader.GetInt64(0) != uid)
                {
                    break;
                }

                await rendered.AppendChunkAsync(reader, 13, cancellationToken);
            }

            if (rendered is { IsComplete: false })
            {
                throw new InvalidDataException($"message {uid} of mailbox {_mailboxId} lacks chunks of its content");
            }

            var content = rendered?.Bytes;
            var structure = structureJson is null ? null : MimeJson.DeserializeBodyStructure(structureJson);
            if (structure is null && content is { } parsed && (needDecodedStructure || needBinary))
            {
                structure = BodyStructure.Parse(parsed);
            }

            // The writer copies what it answers before WriteAsync returns; then the rendering goes back to its pool.
            await writer.WriteAsync(new FetchedMessage
            {
                Uid = uid,
                Flags = flags,
                ModSeq = (ulong)modseq,
                InternalDate = internalDate,
                Size = size,
                Envelope = envelopeJson is null ? null : MimeMapping.ToImap(MimeJson.DeserializeEnvelope(envelopeJson)),
                // Typed nulls: a null array (or a bare null) converts to an empty but present memory.
                EnvelopeWire = envelopeWire is null ? default(ReadOnlyMemory<byte>?) : envelopeWire,
                BodyStructure = structure is null ? null : MimeMapping.ToImap(structure),
                BodyStructureWire = structureWire is null ? default(ReadOnlyMemory<byte>?) : structureWire,
                Content = needBody ? content : null,
                Header = needHeader ? content : null,
                Structure = structure,
            }, cancellationToken);
        }

        await ReadPollAsync(reader, poll, cancellationToken);
        KeepPoll(poll);
    }

    private async Task SetSeenAsync(NpgsqlConnection connection, IReadOnlyList<UidRange> uids, ulong? changedSince, CancellationToken cancellationToken)
    {
        // A write like STORE's, under the vaultbox's lock (PostgresImapSession.Writes.cs).
        var seen = await WriteFlagsAsync(batch =>
        {
            var command = Command("", _mailboxId, _vaultbox);
            var condition = RangeCondition(command.Parameters, uids);
            command.CommandText =
                $"""
                WITH targets AS (
                    SELECT id FROM messages WHERE mailbox_id = $1 AND {condition} AND NOT ('\Seen' = ANY (flags))),
                bump AS (
                    UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                    WHERE id = $1 AND EXISTS (SELECT 1 FROM targets) RETURNING highest_modseq),
                updated AS (
                    UPDATE messages SET flags = array_append(flags, '\Seen'), modseq = (SELECT highest_modseq FROM bump)
                    WHERE id IN (SELECT id FROM targets) RETURNING uid, modseq)
                SELECT uid, modseq, pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint, 'modseq', modseq)::text)
                FROM updated
                """;
            batch.BatchCommands.Add(command);
        }, async (reader, ct) =>
        {
            var updated = new List<(uint Uid, long ModSeq)>();
            while (await reader.ReadAsync(ct))
            {
                updated.Add(((uint)reader.GetInt64(0), reader.GetInt64(1)));
            }

            return updated;
        }, cancellationToken, connection);

        foreach (var (uid, modseq) in seen)
        {
            _own[uid] = modseq;
        }

        if (seen.Count > 0)
        {
            OwnChangeTook(seen[0].ModSeq);
        }
    }
}
