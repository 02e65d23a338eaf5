using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace Encimap.Imap;

/// <summary>
/// One LISTEN connection per process for the intake's <c>encimap_mail</c> channel and this
/// service's <c>encimap_imap</c> channel (flag changes, expunges, copies and moves of other
/// sessions, on this or any other instance). Sessions subscribe by mailbox id; each mailbox has a
/// change counter that lets a session skip the database when nothing happened. When the
/// connection is lost every subscriber is woken (it polls) and the connection is re-established.
/// </summary>
public sealed class MailboxNotifier([FromKeyedServices("encimap")] NpgsqlDataSource database, ILogger<MailboxNotifier> logger) : BackgroundService
{
    /// <summary>The intake's channel (payload {vaultbox_id, mailbox_id, uid}).</summary>
    public const string MailChannel = "encimap_mail";

    /// <summary>
    /// This service's channel (payload {vaultbox_id, mailbox_id}, and the change's mod-sequence as
    /// modseq when it took exactly one: STORE, EXPUNGE, the \Seen a FETCH sets).
    /// </summary>
    public const string ChangeChannel = "encimap_imap";

    private readonly ConcurrentDictionary<long, long> _versions = new();
    private readonly ConcurrentDictionary<long, long> _notifiedModSeqs = new();
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<Action, byte>> _subscribers = new();
    private volatile bool _connected;
    private long _epoch;

    /// <summary>Whether notifications are flowing (when not, sessions poll the database every time).</summary>
    public bool Connected => _connected;

    /// <summary>A number that changes whenever <paramref name="mailboxId"/> may have changed.</summary>
    public long Version(long mailboxId) => _connected ? _versions.GetValueOrDefault(mailboxId) + Interlocked.Read(ref _epoch) * 1_000_000_000L : -1;

    /// <summary>
    /// The highest mod-sequence of a change of <paramref name="mailboxId"/> whose notification
    /// carried it. Such a change does not move <see cref="Version"/>: a session that already knows
    /// every change up to it (its own change among them) need not look again.
    /// </summary>
    public long NotifiedModSeq(long mailboxId) => _notifiedModSeqs.GetValueOrDefault(mailboxId);

    public IDisposable Subscribe(long mailboxId, Action changed)
    {
        var set = _subscribers.GetOrAdd(mailboxId, _ => new ConcurrentDictionary<Action, byte>());
        set[changed] = 0;
        return new Subscription(() => set.TryRemove(changed, out _));
    }

    /// <summary>Marks a change made by this process (its own notification will follow).</summary>
    public void Touch(long mailboxId) => Signal(mailboxId);

    // The LISTEN connection and its reconnects run no span of their own: their commands have no
    // parent and are not exported (the service defaults' OrphanSpanFilter), a warning logs each loss.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {MailChannel}; LISTEN {ChangeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Interlocked.Increment(ref _epoch);
                _connected = true;
                WakeAll();
                backoff = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _connected = false;
                WakeAll();
                logger.LogWarning(e, "LISTEN connection lost; reconnecting in {Delay}", backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private void OnNotification(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            if (json.RootElement.TryGetProperty("mailbox_id", out var id) && id.TryGetInt64(out var mailboxId))
            {
                if (json.RootElement.TryGetProperty("modseq", out var property) && property.TryGetInt64(out var modseq))
                {
                    _notifiedModSeqs.AddOrUpdate(mailboxId, modseq, (_, known) => Math.Max(known, modseq));
                    Wake(mailboxId);
                }
                else
                {
                    Signal(mailboxId);
                }
            }
        }
        catch (JsonException)
        {
            logger.LogWarning("Ignoring a malformed notification");
        }
    }

    private void Signal(long mailboxId)
    {
        _versions.AddOrUpdate(mailboxId, 1, (_, v) => v + 1);
        Wake(mailboxId);
    }

    private void Wake(long mailboxId)
    {
        if (_subscribers.TryGetValue(mailboxId, out var set))
        {
            foreach (var callback in set.Keys)
            {
                callback();
            }
        }
    }

    private void WakeAll()
    {
        foreach (var (_, set) in _subscribers)
        {
            foreach (var callback in set.Keys)
            {
                callback();
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}
