using System.Collections.Concurrent;
using System.Diagnostics;
using Encimap.Intake.Infrastructure;
using Microsoft.Extensions.Options;

namespace Encimap.Intake.Delivery;

/// <summary>
/// Group commit for deliveries. Every delivery to one mailbox must take that mailbox's row lock
/// and hold it until its commit has reached the disk (UIDs become visible in ascending order), so
/// one transaction per delivery stores at most one message per WAL flush into a busy mailbox.
/// Here deliveries queue by their (first) vaultbox into one of a few partitions, and whoever finds
/// a partition idle becomes its leader: it stores everything queued there in ONE transaction
/// (<see cref="MessageStore"/>), so a single flush makes many messages durable. A lone delivery
/// is stored on its own thread with no hand-off; when more arrived meanwhile, the next batch is
/// led from the thread pool, so no caller waits for other callers' batches after its own.
/// Partitions serve different vaultboxes at once; one vaultbox always uses the same partition.
/// </summary>
public sealed partial class GroupCommitQueue
{
    public const string BatchSizeTag = "encimap.commit.deliveries";

    private readonly MessageStore _store;
    private readonly ILogger<GroupCommitQueue> _logger;
    private readonly Partition[] _partitions;
    private readonly int _maxDeliveries;
    private readonly long _maxBytes;

    public GroupCommitQueue(MessageStore store, IOptions<IntakeOptions> options, ILogger<GroupCommitQueue> logger)
    {
        _store = store;
        _logger = logger;
        var settings = options.Value;
        _maxDeliveries = settings.MaxDeliveriesPerCommit;
        _maxBytes = settings.MaxBytesPerCommit;
        _partitions = Enumerable.Range(0, settings.CommitPartitions).Select(_ => new Partition()).ToArray();
    }

    /// <summary>
    /// Stores <paramref name="request"/> with whatever else is queued for its partition and
    /// returns its results after the commit. Cancellation stops the wait, not a commit under way
    /// (a sender's retry then meets the de-duplication).
    /// </summary>
    public async Task<IReadOnlyList<CopyResult>> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var partition = _partitions[(int)((uint)request.FirstVaultboxId.GetHashCode() % (uint)_partitions.Length)];
        partition.Queue.Enqueue(request);
        if (partition.TryLead())
        {
            await LeadAsync(partition);
        }

        return await request.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>One batch as the partition's leader; then hands the lead on if more is queued.</summary>
    private async Task LeadAsync(Partition partition)
    {
        try
        {
            var batch = partition.Take(_maxDeliveries, _maxBytes);
            if (batch.Count > 0)
            {
                await StoreBatchAsync(batch);
            }
        }
        finally
        {
            partition.Release();
        }

        // Whatever was queued while the batch committed had found the partition busy.
        if (!partition.Queue.IsEmpty && partition.TryLead())
        {
            _ = Task.Run(() => LeadAsync(partition));
        }
    }

    private async Task StoreBatchAsync(List<StoreRequest> batch)
    {
        // The transaction's span belongs to the first delivery's trace and links the others.
        using var activity = DeliveryTelemetry.ActivitySource.StartActivity(
            "intake.group_commit", ActivityKind.Internal, batch[0].TraceContext,
            links: batch.Skip(1).Where(r => r.TraceContext != default).Select(r => new ActivityLink(r.TraceContext)));
        activity?.SetTag(BatchSizeTag, batch.Count);
        try
        {
            // Not cancelled by any one caller: the batch is everybody's.
            await _store.StoreAsync(batch, CancellationToken.None);
        }
        catch (Exception e)
        {
            // MessageStore completes every request itself; this is a defect, and no request may be left waiting.
            LogBatchDefect(_logger, e);
            DeliveryTelemetry.Fail(activity, e.GetType().Name);
            foreach (var request in batch)
            {
                request.Fail(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A group commit failed unexpectedly")]
    private static partial void LogBatchDefect(ILogger logger, Exception exception);

    /// <summary>The queue of one partition and who leads it (0 idle, 1 led).</summary>
    private sealed class Partition
    {
        private int _led;

        public ConcurrentQueue<StoreRequest> Queue { get; } = new();

        public bool TryLead() => Interlocked.CompareExchange(ref _led, 1, 0) == 0;

        public void Release() => Volatile.Write(ref _led, 0);

        /// <summary>The first request always goes, however large; the rest while the limits allow.</summary>
        public List<StoreRequest> Take(int maxDeliveries, long maxBytes)
        {
            var batch = new List<StoreRequest>();
            long bytes = 0;
            while (batch.Count < maxDeliveries && (batch.Count == 0 || bytes < maxBytes) && Queue.TryDequeue(out var request))
            {
                batch.Add(request);
                bytes += request.ContentBytes;
            }

            return batch;
        }
    }
}
