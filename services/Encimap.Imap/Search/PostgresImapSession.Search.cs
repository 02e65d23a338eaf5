using Encimap.Imap.Protocol;
using Encimap.Mime;

namespace Encimap.Imap;

// SEARCH over what is in clear of the stored messages.
public sealed partial class PostgresImapSession
{
    public async Task<IReadOnlyList<SearchMatch>> SearchAsync(SearchKey criteria, CancellationToken cancellationToken)
    {
        // What is in clear of an encrypted message is its outer header: SEARCH reads flags, dates,
        // sizes and that header, and evaluates the criteria here (BODY and TEXT too match only it).
        await using var command = database.CreateCommand(
            """
            SELECT uid, flags, modseq, internal_date, size_bytes,
                   CASE WHEN position('\x0d0a0d0a'::bytea IN content) > 0
                        THEN substring(content FROM 1 FOR position('\x0d0a0d0a'::bytea IN content) + 3) ELSE content END
            FROM messages WHERE mailbox_id = $1 ORDER BY uid
            """);
        command.Parameters.AddWithValue(_mailboxId);
        var matches = new List<SearchMatch>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var header = reader.GetFieldValue<byte[]>(5);
            MimeKit.HeaderList? parsed = null;
            var candidate = new SearchCandidate
            {
                Uid = (uint)reader.GetInt64(0),
                Flags = reader.GetFieldValue<string[]>(1),
                ModSeq = (ulong)reader.GetInt64(2),
                InternalDate = reader.GetFieldValue<DateTimeOffset>(3),
                Size = reader.GetInt32(4),
                Header = header,
                HeaderValues = name => (parsed ??= MessageReader.ReadHeaders(header))
                    .Where(field => field.Field.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(field => field.Value.Trim()),
            };
            if (SearchEvaluator.Matches(criteria, candidate))
            {
                matches.Add(new SearchMatch(candidate.Uid, candidate.ModSeq));
            }
        }

        return matches;
    }
}
