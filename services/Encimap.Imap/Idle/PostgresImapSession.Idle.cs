using Encimap.Imap.Protocol;

namespace Encimap.Imap;

// IDLE: woken by MailboxNotifier, polling now and then in case a notification is lost.
public sealed partial class PostgresImapSession
{
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
}
