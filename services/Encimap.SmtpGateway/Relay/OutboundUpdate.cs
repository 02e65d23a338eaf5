using System.Text.Json;
using Encimap.SmtpGateway.Submission;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.SmtpGateway.Relay;

/// <summary>What a relay pass changes on a row.</summary>
public sealed record OutboundUpdate(
    string Status,
    IReadOnlyList<string> DoneRecipients,
    IReadOnlyList<RecipientFailure> Failures,
    DateTime NextAttemptAt,
    string? LastError,
    bool SentCopyPending,
    bool BouncePending,
    byte[]? BounceContent);
