using System.Diagnostics.Metrics;
using System.Net;
using Encimap.Contracts.Credentials;
using Encimap.Contracts.Intake;
using Encimap.Imap.Protocol;
using Encimap.LoginThrottling;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace Encimap.Imap;

/// <summary>
/// One connection's view of one vaultbox in PostgreSQL. Only the vaultbox of the credentials is
/// ever queried: every statement is scoped by its id (mailboxes) or by a mailbox id that was
/// looked up under it. Changes of its own are announced on <see cref="MailboxNotifier.ChangeChannel"/>
/// in the same transaction, so other sessions (any instance) learn of them at commit.
/// </summary>
public sealed partial class PostgresImapSession(
    NpgsqlDataSource database,
    MailboxNotifier notifier,
    RecentClaims recentClaims,
    LoginPenalty penalty,
    UserConnectionLimit connections,
    Func<CredentialVerification> credentials,
    Func<IntakeAppender> intake,
    ImapOptions options,
    ImapConnectionInfo connection,
    ILogger logger) : IImapSession, IImapMoveSession, IImapIdleSession
{
    private static readonly Meter Meter = new(Encimap.ServiceDefaults.EncimapTelemetry.Imap);
    private static readonly Counter<long> Logins = Meter.CreateCounter<long>("encimap.imap.logins", description: "IMAP logins by outcome");

    // Login penalties are kept per client address (see LoginPenalty).
    private readonly IPAddress _client = IPAddress.TryParse(connection.RemoteAddress, out var parsed) ? parsed : IPAddress.None;
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
        // Attempts from an address with recent failures wait before being checked, right
        // password or not, so that the answer's timing tells a guesser nothing.
        var admission = penalty.Admit(_client, username);
        await Task.Delay(admission.Delay, cancellationToken);
        if (admission.Refused)
        {
            Logins.Add(1, new KeyValuePair<string, object?>("outcome", "blocked"));
            logger.LogInformation("IMAP login from {Address} refused: too many failed logins", connection.RemoteAddress);
            throw ImapException.No("Too many failed logins from your address; try again later", "UNAVAILABLE");
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
            await Task.Delay(penalty.Failed(_client, username), cancellationToken);
            return false;
        }

        penalty.Succeeded(_client, username);
        if (!connections.TryOpen(username))
        {
            Logins.Add(1, new KeyValuePair<string, object?>("outcome", "limit"));
            throw ImapException.No("Too many connections for this user", "LIMIT");
        }

        Logins.Add(1, new KeyValuePair<string, object?>("outcome", "succeeded"));
        _username = username;
        _vaultbox = vaultbox;
        _address = reply.Address;
        return true;
    }

    // ---- authenticated ------------------------------------------------------------------------

    private async Task<AppendResult> AppendOneAsync(string mailbox, IReadOnlyList<string> flags, DateTimeOffset? internalDate, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
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
            reply = await intake().DeliverAsync(request, message, TimeSpan.FromSeconds(60), cancellationToken);
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

        // With the look at the selected mailbox that the answer needs, in the same round trip.
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command("SELECT uid_validity FROM mailboxes WHERE vaultbox_id = $1 AND name = $2", _vaultbox, mailbox));
        var poll = PollIfDue(batch);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var validity = await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : 0;
        await ReadPollAsync(reader, poll, cancellationToken);
        KeepPoll(poll);

        return new AppendResult((uint)validity, [result.Uid]);
    }

    public ValueTask DisposeAsync()
    {
        if (_username is not null)
        {
            connections.Close(_username);
            _username = null;
        }

        return ValueTask.CompletedTask;
    }
}
