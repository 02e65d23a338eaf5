using Npgsql;

namespace Encimap.Imap;

/// <summary>
/// Runs a whole database transaction again when PostgreSQL aborts it as a deadlock victim (40P01)
/// or for a serialization failure (40001): such an abort rolled everything back, and the same
/// transaction a moment later normally succeeds, so a client is never told of it. The lock order
/// (<c>lock_vaultbox_mail</c>, migration 0014) leaves no deadlock between the services' own
/// transactions; what remains is another writer outside it (a vaultbox being deleted, an operator).
/// Bounded, with a jittered, growing pause so that the two victims do not meet again.
/// </summary>
public static class TransactionRetry
{
    public const int MaxAttempts = 6;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> transaction, ILogger logger, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                              && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                // 1-4 ms, then up to 8, 16, 32, 64 ms.
                var pause = TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 << (attempt - 1)));
                logger.LogInformation("Transaction aborted ({SqlState}), attempt {Attempt} of {MaxAttempts}; again in {Pause} ms",
                    e.SqlState, attempt, MaxAttempts, (int)pause.TotalMilliseconds);
                await Task.Delay(pause, cancellationToken);
            }
        }
    }
}
