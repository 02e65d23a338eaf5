namespace Encimap.Imap.Protocol;

// IDLE (RFC 2177).
public sealed partial class ImapServerSession
{
    private async Task<bool> IdleAsync(ImapCommand c, CancellationToken ct)
    {
        _writer.Raw("+ idling\r\n"u8);
        await FlushAsync(ct).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task idle = Task.CompletedTask;
        if (State == SessionState.Selected && _backend is IImapIdleSession idler)
        {
            _allowExpunges = true;
            await PollAsync(false, ct).ConfigureAwait(false);
            await FlushAsync(ct).ConfigureAwait(false);
            idle = idler.IdleAsync(this, stop.Token);
        }

        string? line;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(_options.Limits.IdleTimeout);
            try
            {
                line = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                line = null;
            }
            finally
            {
                stop.Cancel();
                try
                {
                    await idle.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        if (line is null)
        {
            _writer.Raw("* BYE Autologout; idle for too long\r\n"u8);
            State = SessionState.Logout;
            return false;
        }

        if (!line.Trim().Equals("DONE", StringComparison.OrdinalIgnoreCase))
        {
            Tagged(c.Tag, ImapStatus.Bad, "Expected DONE");
            return false;
        }

        return await OkAsync(c, "IDLE terminated", ct).ConfigureAwait(false);
    }
}
