using Encimap.Contracts.Intake;
using Grpc.Core;
using IntakeContract = Encimap.Contracts.Intake.Intake;

namespace Encimap.Intake.Tests;

/// <summary>
/// The message size limit holds end to end over gRPC: a message of the limit arrives whole even
/// above Kestrel's default request body limit (30,000,000 bytes), and a larger one is refused with
/// RESOURCE_EXHAUSTED, whether the intake's own check or grpc-dotnet's receive limit stops it. The
/// fleet's second intake has the limit.
/// </summary>
[Collection(IntakeFleetCollection.Name)]
public sealed class MessageSizeLimitTests(IntakeFixture fleet)
{
    private const int Limit = IntakeFixture.GuardedMaxMessageBytes;

    /// <summary>The room the intake leaves around a message for the request's other fields.</summary>
    private const int EnvelopeAllowance = 1024 * 1024;

    [Fact]
    public async Task A_message_of_the_limit_above_30_MB_is_delivered_and_a_larger_one_is_resource_exhausted()
    {
        var client = fleet.InternalGrpcClient<IntakeContract.IntakeClient>(IntakeContract.Descriptor, IntakeFixture.GuardedIntake);
        var vaultbox = await fleet.CreateVaultboxAsync("limit");

        var reply = await DeliverAsync(client, Message("at-limit", Limit), vaultbox.Address);
        Assert.Equal(DeliveryOutcome.Stored, Assert.Single(reply.Results).Outcome);

        // One byte over: the intake's own check, which logs the refusal.
        var over = await Assert.ThrowsAsync<RpcException>(() => DeliverAsync(client, Message("over", Limit + 1), vaultbox.Address));
        Assert.Equal(StatusCode.ResourceExhausted, over.StatusCode);

        // Past the room around a message: grpc-dotnet's limit, before the message is buffered.
        var far = await Assert.ThrowsAsync<RpcException>(() => DeliverAsync(client, Message("far-over", Limit + EnvelopeAllowance + 1024), vaultbox.Address));
        Assert.Equal(StatusCode.ResourceExhausted, far.StatusCode);

        Assert.Equal(1, await fleet.MessageCountAsync(vaultbox.Id));
        Assert.Equal(1L, await fleet.ScalarAsync<long>(
            "SELECT count(*) FROM email_processing_logs WHERE outcome = 'too_large' AND detail = 'grpc' AND size_bytes = $1", Limit + 1));
    }

    private static Task<DeliverReply> DeliverAsync(IntakeContract.IntakeClient client, byte[] raw, string address) =>
        client.DeliverAsync(StoredMessageAssert.Request(raw, address), deadline: DateTime.UtcNow.AddMinutes(2)).ResponseAsync;

    /// <summary>A valid message of exactly <paramref name="size"/> bytes: CRLF lines of 76 characters.</summary>
    private static byte[] Message(string tag, int size)
    {
        var head = Corpus.Unique(tag, 0);
        var raw = new byte[size];
        head.CopyTo(raw, 0);
        for (var i = head.Length; i < raw.Length; i++)
        {
            raw[i] = ((i - head.Length) % 78) switch { 76 => (byte)'\r', 77 => (byte)'\n', _ => (byte)('a' + (i % 26)) };
        }

        return raw;
    }
}
