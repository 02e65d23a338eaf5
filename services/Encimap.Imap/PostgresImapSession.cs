using System.Data;
using System.Diagnostics.Metrics;
using System.Text;
using Encimap.Contracts.Credentials;
using Encimap.Contracts.Intake;
using Encimap.Imap.Protocol;
using Encimap.Mime;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Imap;

/// <summary>
/// One connection's view of one vaultbox in PostgreSQL. Only the vaultbox of the credentials is
/// ever queried: every statement is scoped by its id (mailboxes) or by a mailbox id that was
/// looked up under it. Changes of its own are announced on <see cref="MailboxNotifier.ChangeChannel"/>
/// in the same transaction, so other sessions (any instance) learn of them at commit.
/// </summary>
public sealed class PostgresImapSession(
    NpgsqlDataSource database,
    MailboxNotifier notifier,
    LoginGuard guard,
    Func<CredentialVerification> credentials,
    Func<IntakeAppender> intake,
    ImapOptions options,
    ImapConnectionInfo connection,
    ILogger logger) : IImapSession, IImapMoveSession, IImapIdleSession
{
    private static readonly Meter Meter = new(Encimap.ServiceDefaults.EncimapTelemetry.Imap);
    private static readonly Counter<long> Logins = Meter.CreateCounter<long>("encimap.imap.logins", description: "IMAP logins by outcome");

    private Guid _vaultbox;
    private string? _address;
    private string? _username;

    // The selected mailbox, as this session knows it (mirrors the protocol's view).
    private long _mailboxId;
    private string? _mailboxName;
    private uint _uidValidity;
    private readonly SortedSet<uint> _known = [];
    private long _lastModSeq;
    private long _lastVersion;
    private readonly Dictionary<uint, long> _own = [];

    // ---- not authenticated --------------------------------------------------------------------

    public async Task<bool> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        if (guard.IsBlocked(connection.RemoteAddress, username))
        {
            Logins.Add(1, new KeyValuePair<string, object?>("outcome", "blocked"));
            await Task.Delay(options.LoginFailureDelay, cancellationToken);
            throw ImapException.No("Too many failed logins; try again later", "UNAVAILABLE");
        }

        VerifyLoginReply reply;
        try
        {
            reply = await credentials().VerifyImapLoginAsync(
                new VerifyLoginRequest { Username = username, Password = password, ClientAddress = connection.RemoteAddress },
                TimeSpan.FromSeconds(15),
                cancellationToken);
        }
        catch (ServiceUnavailableException e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Credential verification unavailable");
            throw ImapException.No("Authentication is unavailable; try again later", "UNAVAILABLE");
        }

        if (reply.Kind != PrincipalKind.Vaultbox || !Guid.TryParse(reply.VaultboxId, out var vaultbox))
        {
            Logins.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            await Task.Delay(guard.Failed(connection.RemoteAddress, username), cancellationToken);
            return false;
        }

        if (!guard.TryOpen(username))
        {
            Logins.Add(1, new KeyValuePair<string, object?>("outcome", "limit"));
            throw ImapException.No("Too many connections for this user", "LIMIT");
        }

        guard.Succeeded(username);
        Logins.Add(1, new KeyValuePair<string, object?>("outcome", "succeeded"));
        _username = username;
        _vaultbox = vaultbox;
        _address = reply.Address;
        return true;
    }

    // ---- authenticated ------------------------------------------------------------------------

    public async Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT name, special_use, subscribed FROM mailboxes WHERE vaultbox_id = $1");
        command.Parameters.AddWithValue(_vaultbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<MailboxInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new MailboxInfo(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2)));
        }

        return list;
    }

    public async Task CreateAsync(string mailbox, CancellationToken cancellationToken)
    {
        if (mailbox == "INBOX")
        {
            throw ImapException.No("INBOX exists", "ALREADYEXISTS");
        }

        await using var command = database.CreateCommand("INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, $2, $3)");
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        command.Parameters.AddWithValue(NewUidValidity());
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ImapException.No("Mailbox exists", "ALREADYEXISTS");
        }
    }

    public async Task DeleteAsync(string mailbox, CancellationToken cancellationToken)
    {
        if (mailbox == "INBOX")
        {
            throw ImapException.No("INBOX cannot be deleted", "CANNOT");
        }

        await using var command = database.CreateCommand("DELETE FROM mailboxes WHERE vaultbox_id = $1 AND name = $2 AND special_use IS NULL RETURNING id");
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            var exists = (await ListMailboxesAsync(cancellationToken)).Any(m => m.Name == mailbox);
            throw exists ? ImapException.No("Special-use folders cannot be deleted", "CANNOT") : ImapException.No("No such mailbox", "NONEXISTENT");
        }
    }

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        if (from == "INBOX" || to == "INBOX")
        {
            throw ImapException.No("INBOX cannot be renamed", "CANNOT");
        }

        await using var command = database.CreateCommand(
            """
            UPDATE mailboxes SET name = $3 || substr(name, length($2) + 1)
            WHERE vaultbox_id = $1 AND (name = $2 OR starts_with(name, $2 || '/'))
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        try
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw ImapException.No("No such mailbox", "NONEXISTENT");
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ImapException.No("Target mailbox exists", "ALREADYEXISTS");
        }
    }

    public async Task SetSubscribedAsync(string mailbox, bool subscribed, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("UPDATE mailboxes SET subscribed = $3 WHERE vaultbox_id = $1 AND name = $2");
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        command.Parameters.AddWithValue(subscribed);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }
    }

    public async Task<MailboxStatus> StatusAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT b.uid_next, b.uid_validity, b.highest_modseq, count(m.id),
                   count(m.id) FILTER (WHERE NOT ('\Seen' = ANY (m.flags))),
                   coalesce(sum(m.size_bytes), 0),
                   count(m.id) FILTER (WHERE '\Deleted' = ANY (m.flags))
            FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id
            WHERE b.vaultbox_id = $1 AND b.name = $2
            GROUP BY b.id
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }

        return new MailboxStatus((uint)reader.GetInt64(3), (uint)reader.GetInt64(0), (uint)reader.GetInt64(1), (uint)reader.GetInt64(4),
            (ulong)reader.GetInt64(2), reader.GetInt64(5), (uint)reader.GetInt64(6));
    }

    public async Task<SelectData> SelectAsync(string mailbox, bool readOnly, CancellationToken cancellationToken)
    {
        // One statement, one snapshot: the UID list and HIGHESTMODSEQ agree.
        await using var command = database.CreateCommand(
            """
            SELECT b.id, b.uid_validity, b.uid_next, b.highest_modseq,
                   coalesce((SELECT array_agg(uid ORDER BY uid) FROM messages WHERE mailbox_id = b.id), '{}'),
                   (SELECT min(uid) FROM messages WHERE mailbox_id = b.id AND NOT ('\Seen' = ANY (flags)))
            FROM mailboxes b WHERE b.vaultbox_id = $1 AND b.name = $2
            """);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.AddWithValue(mailbox);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw ImapException.No("No such mailbox", "NONEXISTENT");
        }

        _lastVersion = notifier.Version(reader.GetInt64(0));
        _mailboxId = reader.GetInt64(0);
        _mailboxName = mailbox;
        _uidValidity = (uint)reader.GetInt64(1);
        _lastModSeq = reader.GetInt64(3);
        _known.Clear();
        _own.Clear();
        foreach (var uid in reader.GetFieldValue<long[]>(4))
        {
            _known.Add((uint)uid);
        }

        uint? unseen = reader.IsDBNull(5) ? null : (uint)reader.GetInt64(5);
        return new SelectData(_uidValidity, (uint)reader.GetInt64(2), [.. _known], (ulong)_lastModSeq, [], unseen);
    }

    public async Task<AppendResult> AppendAsync(string mailbox, IReadOnlyList<string> flags, DateTimeOffset? internalDate, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await using (var command = database.CreateCommand("SELECT uid_validity FROM mailboxes WHERE vaultbox_id = $1 AND name = $2"))
        {
            command.Parameters.AddWithValue(_vaultbox);
            command.Parameters.AddWithValue(mailbox);
            if (await command.ExecuteScalarAsync(cancellationToken) is null)
            {
                throw ImapException.No("No such mailbox", "TRYCREATE");
            }
        }

        var request = new DeliverRequest
        {
            RawMessage = Google.Protobuf.ByteString.CopyFrom(message.Span),
            Mailbox = mailbox,
            ClientAddress = connection.RemoteAddress,
            ReceivedProtocol = "IMAP",
            AllowDuplicates = true,
        };
        request.Recipients.Add(_address);
        request.Flags.AddRange(flags);
        if (internalDate is { } date)
        {
            request.InternalDate = Timestamp.FromDateTimeOffset(date);
        }

        DeliverReply reply;
        try
        {
            reply = await intake().DeliverAsync(request, TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (ServiceUnavailableException e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "APPEND: delivery failed");
            throw ImapException.No("The message could not be stored; try again", "UNAVAILABLE");
        }

        var result = reply.Results.FirstOrDefault(r => r.Outcome is DeliveryOutcome.Stored or DeliveryOutcome.Duplicate)
            ?? throw ImapException.No("The message could not be stored", "SERVERBUG");
        if (_mailboxId != 0 && mailbox == _mailboxName)
        {
            // Appended to the selected mailbox: the next poll must not wait for the notification.
            notifier.Touch(_mailboxId);
        }

        await using (var command = database.CreateCommand("SELECT uid_validity FROM mailboxes WHERE vaultbox_id = $1 AND name = $2"))
        {
            command.Parameters.AddWithValue(_vaultbox);
            command.Parameters.AddWithValue(mailbox);
            var validity = await command.ExecuteScalarAsync(cancellationToken) as long? ?? 0;
            return new AppendResult((uint)validity, result.Uid);
        }
    }

    // ---- selected -----------------------------------------------------------------------------

    public Task UnselectAsync(CancellationToken cancellationToken)
    {
        _mailboxId = 0;
        _mailboxName = null;
        _known.Clear();
        _own.Clear();
        return Task.CompletedTask;
    }

    public async Task PollAsync(IUpdateSink updates, bool force, CancellationToken cancellationToken)
    {
        if (_mailboxId == 0)
        {
            return;
        }

        var version = notifier.Version(_mailboxId);
        if (!force && version >= 0 && version == _lastVersion)
        {
            return;
        }

        _lastVersion = version;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        long highest;
        await using (var check = new NpgsqlCommand("SELECT highest_modseq FROM mailboxes WHERE id = $1", connection, transaction))
        {
            check.Parameters.AddWithValue(_mailboxId);
            highest = await check.ExecuteScalarAsync(cancellationToken) as long? ?? -1;
        }

        if (highest < 0)
        {
            // The mailbox was deleted or renamed away under us: everything is gone.
            foreach (var uid in _known.ToList())
            {
                updates.Expunged(uid);
            }

            _known.Clear();
            return;
        }

        if (highest == _lastModSeq)
        {
            return;
        }

        var changed = new List<FlagUpdate>();
        var current = new List<uint>();
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(Command("SELECT uid, flags, modseq FROM messages WHERE mailbox_id = $1 AND modseq > $2", _mailboxId, _lastModSeq));
            batch.BatchCommands.Add(Command("SELECT uid FROM messages WHERE mailbox_id = $1 ORDER BY uid", _mailboxId));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var uid = (uint)reader.GetInt64(0);
                var modseq = reader.GetInt64(2);
                if (_known.Contains(uid) && !(_own.TryGetValue(uid, out var own) && own == modseq))
                {
                    changed.Add(new FlagUpdate(uid, reader.GetFieldValue<string[]>(1), (ulong)modseq));
                }
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                current.Add((uint)reader.GetInt64(0));
            }
        }

        var present = current.ToHashSet();
        foreach (var gone in _known.Where(u => !present.Contains(u)).ToList())
        {
            _known.Remove(gone);
            updates.Expunged(gone);
        }

        foreach (var update in changed.Where(u => present.Contains(u.Uid)))
        {
            updates.FlagsChanged(update);
        }

        var added = current.Where(u => !_known.Contains(u)).ToList();
        foreach (var uid in added)
        {
            _known.Add(uid);
        }

        updates.Exists(added);
        _lastModSeq = highest;
        foreach (var stale in _own.Where(o => o.Value <= highest).Select(o => o.Key).ToList())
        {
            _own.Remove(stale);
        }
    }

    public async Task IdleAsync(IUpdateSink updates, CancellationToken stop)
    {
        var signal = new SemaphoreSlim(0, int.MaxValue);
        using var subscription = notifier.Subscribe(_mailboxId, () => signal.Release());
        await PollAsync(updates, true, stop);
        await updates.FlushAsync(stop);
        while (!stop.IsCancellationRequested)
        {
            var signalled = await signal.WaitAsync(options.IdlePollInterval, stop);
            while (signal.CurrentCount > 0)
            {
                await signal.WaitAsync(stop);
            }

            await PollAsync(updates, !signalled, stop);
            await updates.FlushAsync(stop);
        }
    }

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
        // A message stored as header and DER (content_der) is rendered here, not in SQL.
        sql.Append(needBody ? "content, content_der " : needHeader
            ? "CASE WHEN position('\\x0d0a0d0a'::bytea IN content) > 0 THEN substring(content FROM 1 FOR position('\\x0d0a0d0a'::bytea IN content) + 3) ELSE content END, NULL::bytea "
            : "NULL::bytea, NULL::bytea ");
        sql.Append("FROM messages WHERE mailbox_id = $1 AND ");
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue(_mailboxId);
        sql.Append(RangeCondition(command, uids));
        if (fetchOptions.ChangedSince is { } since)
        {
            command.Parameters.AddWithValue((long)since);
            sql.Append(" AND modseq > $").Append(command.Parameters.Count);
        }

        sql.Append(" ORDER BY uid");
        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
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
            using var rendered = await reader.IsDBNullAsync(9, cancellationToken) ? null : await RenderedContent.ReadAsync(reader, 9, 10, cancellationToken);
            var content = rendered?.Bytes;
            var structure = structureJson is null ? null : MimeJson.DeserializeBodyStructure(structureJson);
            if (structure is null && content is { } parsed && (needDecodedStructure || needBinary))
            {
                structure = BodyStructure.From(MimeMessage.Parse(parsed).Root);
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
                PartResolver = content is not { } forParts || structure is null ? null : section => Sections.Resolve(forParts, structure, section),
                BinaryResolver = content is not { } forBinary ? null : part => Sections.Decode(forBinary, part),
            }, cancellationToken);
        }
    }

    private async Task SetSeenAsync(NpgsqlConnection connection, IReadOnlyList<UidRange> uids, ulong? changedSince, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue(_vaultbox);
        var condition = RangeCondition(command, uids);
        command.CommandText =
            $"""
            WITH targets AS (
                SELECT id FROM messages WHERE mailbox_id = $1 AND {condition} AND NOT ('\Seen' = ANY (flags)) FOR UPDATE),
            bump AS (
                UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                WHERE id = $1 AND EXISTS (SELECT 1 FROM targets) RETURNING highest_modseq),
            updated AS (
                UPDATE messages SET flags = array_append(flags, '\Seen'), modseq = (SELECT highest_modseq FROM bump)
                WHERE id IN (SELECT id FROM targets) RETURNING uid, modseq)
            SELECT uid, modseq, pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint)::text)
            FROM updated
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            _own[(uint)reader.GetInt64(0)] = reader.GetInt64(1);
        }
    }

    public async Task<StoreResult> StoreAsync(IReadOnlyList<UidRange> uids, StoreMode mode, IReadOnlyList<string> flags, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return new StoreResult([], []);
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var failed = new List<uint>();
        var unchanged = unchangedSince is { } limit ? (long)limit : long.MaxValue;
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue(_vaultbox);
        command.Parameters.Add(new NpgsqlParameter { Value = flags.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.AddWithValue(unchanged);
        var condition = RangeCondition(command, uids);
        var (expression, differs) = mode switch
        {
            StoreMode.Add => ("flags || ARRAY(SELECT f FROM unnest($3::text[]) f WHERE f <> ALL (flags))", "NOT (flags @> $3::text[])"),
            StoreMode.Remove => ("ARRAY(SELECT f FROM unnest(flags) WITH ORDINALITY t(f, i) WHERE f <> ALL ($3::text[]) ORDER BY i)", "flags && $3::text[]"),
            _ => ("$3::text[]", "NOT (flags @> $3::text[] AND flags <@ $3::text[])"),
        };
        if (unchangedSince is not null)
        {
            await using var check = new NpgsqlCommand($"SELECT uid FROM messages WHERE mailbox_id = $1 AND {condition} AND modseq > $4", connection, transaction);
            foreach (NpgsqlParameter parameter in command.Parameters)
            {
                check.Parameters.Add(parameter.Clone());
            }

            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                failed.Add((uint)reader.GetInt64(0));
            }
        }

        command.CommandText =
            $"""
            WITH targets AS (
                SELECT id FROM messages
                WHERE mailbox_id = $1 AND {condition} AND modseq <= $4 AND {differs} FOR UPDATE),
            bump AS (
                UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                WHERE id = $1 AND EXISTS (SELECT 1 FROM targets) RETURNING highest_modseq),
            updated AS (
                UPDATE messages SET flags = {expression}, modseq = (SELECT highest_modseq FROM bump)
                WHERE id IN (SELECT id FROM targets) RETURNING uid, flags, modseq)
            SELECT uid, flags, modseq, pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint)::text)
            FROM updated ORDER BY uid
            """;
        var updated = new List<FlagUpdate>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var update = new FlagUpdate((uint)reader.GetInt64(0), reader.GetFieldValue<string[]>(1), (ulong)reader.GetInt64(2));
                _own[update.Uid] = (long)update.ModSeq;
                updated.Add(update);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new StoreResult(updated, failed);
    }

    public async Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<UidRange>? uids, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        command.Parameters.AddWithValue(_mailboxId);
        command.Parameters.AddWithValue(_vaultbox);
        var condition = uids is null ? "true" : uids.Count == 0 ? "false" : RangeCondition(command, uids);
        command.CommandText =
            $"""
            WITH gone AS (
                DELETE FROM messages WHERE mailbox_id = $1 AND '\Deleted' = ANY (flags) AND {condition} RETURNING uid),
            bump AS (
                UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                WHERE id = $1 AND EXISTS (SELECT 1 FROM gone) RETURNING highest_modseq)
            SELECT uid, (SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $2::uuid, 'mailbox_id', $1::bigint)::text) FROM bump)
            FROM gone ORDER BY uid
            """;
        var expunged = new List<uint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var uid = (uint)reader.GetInt64(0);
            expunged.Add(uid);
            _known.Remove(uid);
        }

        return expunged;
    }

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
            HeaderList? parsed = null;
            var candidate = new SearchCandidate
            {
                Uid = (uint)reader.GetInt64(0),
                Flags = reader.GetFieldValue<string[]>(1),
                ModSeq = (ulong)reader.GetInt64(2),
                InternalDate = reader.GetFieldValue<DateTimeOffset>(3),
                Size = reader.GetInt32(4),
                Header = header,
                HeaderValues = name => (parsed ??= MimeMessage.Parse(header).Headers).All(name).Select(f => f.Value),
            };
            if (SearchEvaluator.Matches(criteria, candidate))
            {
                matches.Add(new SearchMatch(candidate.Uid, candidate.ModSeq));
            }
        }

        return matches;
    }

    public Task<CopyResult> CopyAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken) =>
        TransferAsync(uids, destination, move: false, cancellationToken);

    public Task<CopyResult> MoveAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken) =>
        TransferAsync(uids, destination, move: true, cancellationToken);

    private async Task<CopyResult> TransferAsync(IReadOnlyList<UidRange> uids, string destination, bool move, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long targetId;
        uint validity;
        await using (var target = new NpgsqlCommand("SELECT id, uid_validity FROM mailboxes WHERE vaultbox_id = $1 AND name = $2 FOR UPDATE", connection, transaction))
        {
            target.Parameters.AddWithValue(_vaultbox);
            target.Parameters.AddWithValue(destination);
            await using var reader = await target.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw ImapException.No("No such mailbox", "TRYCREATE");
            }

            targetId = reader.GetInt64(0);
            validity = (uint)reader.GetInt64(1);
        }

        if (targetId == _mailboxId && move)
        {
            throw ImapException.No("Source and destination are the same mailbox", "CANNOT");
        }

        var sources = new List<long>();
        await using (var select = new NpgsqlCommand { Connection = connection, Transaction = transaction })
        {
            select.Parameters.AddWithValue(_mailboxId);
            select.CommandText = $"SELECT uid FROM messages WHERE mailbox_id = $1 AND {RangeCondition(select, uids)} ORDER BY uid FOR UPDATE";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sources.Add(reader.GetInt64(0));
            }
        }

        if (sources.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return new CopyResult(validity, [], []);
        }

        long first, modseq;
        await using (var reserve = new NpgsqlCommand(
            "UPDATE mailboxes SET uid_next = uid_next + $2, highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING uid_next - $2, highest_modseq",
            connection, transaction))
        {
            reserve.Parameters.AddWithValue(targetId);
            reserve.Parameters.AddWithValue((long)sources.Count);
            await using var reader = await reserve.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            first = reader.GetInt64(0);
            modseq = reader.GetInt64(1);
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            if (move)
            {
                batch.BatchCommands.Add(Command(
                    """
                    UPDATE messages m SET mailbox_id = $2, uid = s.new_uid, modseq = $4
                    FROM (SELECT id, $3 + row_number() OVER (ORDER BY uid) - 1 AS new_uid
                          FROM messages WHERE mailbox_id = $1 AND uid = ANY ($5)) s
                    WHERE m.id = s.id
                    """, _mailboxId, targetId, first, modseq, sources.ToArray()));
                batch.BatchCommands.Add(Command("UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1", _mailboxId));
            }
            else
            {
                batch.BatchCommands.Add(Command(
                    """
                    INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, flags, internal_date, size_bytes, message_id, from_domain,
                                          to_alias, subject, envelope, body_structure, content, content_der, imap_envelope,
                                          imap_body_structure)
                    SELECT vaultbox_id, $2, $3 + row_number() OVER (ORDER BY uid) - 1, $4, flags, internal_date, size_bytes, message_id,
                           from_domain, to_alias, subject, envelope, body_structure, content, content_der, imap_envelope, imap_body_structure
                    FROM messages WHERE mailbox_id = $1 AND uid = ANY ($5)
                    """, _mailboxId, targetId, first, modseq, sources.ToArray()));
            }

            batch.BatchCommands.Add(Command(
                $"SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $1::uuid, 'mailbox_id', $2::bigint)::text)",
                _vaultbox, targetId));
            batch.BatchCommands.Add(Command(
                $"SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $1::uuid, 'mailbox_id', $2::bigint)::text)",
                _vaultbox, _mailboxId));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (targetId == _mailboxId)
        {
            notifier.Touch(_mailboxId);
        }

        if (move)
        {
            foreach (var uid in sources)
            {
                _known.Remove((uint)uid);
            }
        }

        var sourceUids = sources.Select(u => (uint)u).ToList();
        var targetUids = Enumerable.Range(0, sources.Count).Select(i => (uint)(first + i)).ToList();
        return new CopyResult(validity, sourceUids, targetUids);
    }

    public ValueTask DisposeAsync()
    {
        if (_username is not null)
        {
            guard.Close(_username);
            _username = null;
        }

        return ValueTask.CompletedTask;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static long NewUidValidity() => Math.Clamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, uint.MaxValue);

    /// <summary>A condition on <c>uid</c> for the ranges, with parameters appended to <paramref name="command"/>.</summary>
    private static string RangeCondition(NpgsqlCommand command, IReadOnlyList<UidRange> uids)
    {
        if (uids.Count <= 20)
        {
            var parts = new List<string>();
            foreach (var range in uids)
            {
                command.Parameters.AddWithValue((long)range.First);
                command.Parameters.AddWithValue((long)range.Last);
                parts.Add($"uid BETWEEN ${command.Parameters.Count - 1} AND ${command.Parameters.Count}");
            }

            return "(" + string.Join(" OR ", parts) + ")";
        }

        command.Parameters.AddWithValue(uids.Select(r => (long)r.First).ToArray());
        command.Parameters.AddWithValue(uids.Select(r => (long)r.Last).ToArray());
        var n = command.Parameters.Count;
        return $"EXISTS (SELECT 1 FROM unnest(${n - 1}::bigint[], ${n}::bigint[]) r(lo, hi) WHERE uid BETWEEN r.lo AND r.hi)";
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
