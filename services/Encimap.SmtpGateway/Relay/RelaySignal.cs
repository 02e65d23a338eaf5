using System.Text.Json;
using Encimap.SmtpGateway.Submission;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.SmtpGateway.Relay;

/// <summary>Wakes the relay worker when a message was queued, instead of waiting for its next poll.</summary>
public sealed class RelaySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
