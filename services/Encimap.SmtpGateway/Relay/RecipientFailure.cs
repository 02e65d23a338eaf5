using System.Text.Json;
using Encimap.SmtpGateway.Submission;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.SmtpGateway.Relay;

/// <summary>A permanent failure of one recipient, as a bounce reports it.</summary>
public sealed record RecipientFailure(string Recipient, string Status, string Diagnostic, string? RemoteMta);
